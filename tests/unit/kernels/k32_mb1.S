/* Tiny ELF32 Multiboot1 kernel (no a.out kludge): loaded by its ELF
 * program headers.  Used as a real-toolchain fixture by test_image. */
	.section .multiboot, "a"
	.align 4
	.long 0x1BADB002, 0x3, -(0x1BADB002 + 0x3)
	.text
	.globl _start
_start:	cli
1:	hlt
	jmp 1b
	.data
	.long 0x12345678
	.bss
	.space 8192
