/* Tiny ELF64 Multiboot2 kernel, higher-half: its .text runs at
 * 0xffffffff80200000 but is loaded at 2 MiB; the 32-bit entry stub lives
 * in a low, identity-placed segment.  Used by test_image. */
	.section .multiboot, "a"
	.align 8
mb2_start:
	.long 0xE85250D6, 0, mb2_end - mb2_start
	.long -(0xE85250D6 + (mb2_end - mb2_start))
	/* information request (optional): memory map, cmdline */
	.align 8
	.short 1, 1
	.long 16
	.long 6, 1
	/* framebuffer tag, optional: must be ignored */
	.align 8
	.short 5, 1
	.long 20
	.long 0, 0, 0
	.align 8
	.short 0, 0
	.long 8
mb2_end:
	.section .boot, "ax"
	.code32
	.globl _start
_start:	cli
1:	hlt
	jmp 1b
	.text
	.code64
	.globl high
high:	hlt
	.data
	.quad 0x1122334455667788
	.bss
	.space 4096
