/* Multiboot1 entry of the ACPI capture kernel (ELF32, so QEMU -kernel
 * needs no a.out kludge and GRUB's "multiboot" loads it as is). */
	.section .multiboot, "a"
	.align 4
	.long 0x1BADB002, 0, -0x1BADB002
	.text
	.globl _start
_start:	cli
	mov $stack_top, %esp
	push %ebx
	push %eax
	call kmain
1:	hlt
	jmp 1b
	.bss
	.align 16
	.space 16384
stack_top:
