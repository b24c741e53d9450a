/* SPDX-License-Identifier: MIT */
#ifndef QHV_ARCH_SERIAL_H
#define QHV_ARCH_SERIAL_H

void serial_init(void);
void serial_putc(char c);
void debugcon_putc(char c);

#endif
