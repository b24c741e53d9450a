/* Tiny ELF64 Multiboot1 kernel using the a.out kludge (flag 16), the way
 * QEMU's -kernel needs a 64-bit ELF to be described.  Used by test_image. */
	.section .multiboot, "a"
	.align 4
hdr:	.long 0x1BADB002, 0x10002, -(0x1BADB002 + 0x10002)
	.long hdr, load_start, load_end, bss_end, _start
	.section .boot, "ax"
	.code32
	.globl _start
_start:	cli
1:	hlt
	jmp 1b
	.data
	.long 0xcafe
	.bss
	.space 4096
