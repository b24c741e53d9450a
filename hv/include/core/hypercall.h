/* SPDX-License-Identifier: MIT */
#ifndef QHV_CORE_HYPERCALL_H
#define QHV_CORE_HYPERCALL_H

#include <stdint.h>
#include "core/domain.h"

/**
 * hypercall_dispatch() - run one hypercall for @v.
 * @v: calling vCPU (its domain is the caller).
 * @a: number and arguments, already taken from the guest's registers;
 *     @a->resched is set when the caller should give up the CPU.
 *
 * Return: the value for the guest's RAX (>= 0, or -QHV_E*).
 */
int64_t hypercall_dispatch(struct vcpu *v, struct hcall_args *a);

#endif
