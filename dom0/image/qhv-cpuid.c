/* SPDX-License-Identifier: MIT */
/*
 * qhv-cpuid: print the hypervisor CPUID leaves as dom0 sees them:
 *
 *   hypervisor=yes signature=QHVQHVQHVQHV maxleaf=0x40000001 abi=0x00000001
 *
 * Exit status 0 only when the signature is qhv's (include/qhv/hypercall.h),
 * so selftest.sh can test it with one call.  Leaf 0x40000001 is read only
 * when leaf 0x40000000 says it exists.
 */
#include <cpuid.h>
#include <stdio.h>
#include <string.h>
#include <qhv/hypercall.h>

int main(void)
{
	unsigned int a, b, c, d, maxleaf;
	char sig[13];
	int hv, is_qhv;

	__cpuid(1, a, b, c, d);
	hv = (c >> 31) & 1;
	/* Without CPUID.1:ECX[31] leaf 0x40000000 is not defined: on Intel it
	 * echoes the highest basic leaf.  Print it anyway, as evidence. */
	__cpuid(QHV_CPUID_BASE, maxleaf, b, c, d);
	memcpy(sig + 0, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	for (int i = 0; i < 12; i++)
		if (sig[i] < 0x20 || sig[i] > 0x7e)
			sig[i] = '.';
	is_qhv = hv && b == QHV_CPUID_SIG_EBX && c == QHV_CPUID_SIG_ECX &&
		 d == QHV_CPUID_SIG_EDX;
	printf("hypervisor=%s signature=%s maxleaf=0x%08x", hv ? "yes" : "no",
	       sig, maxleaf);
	if (is_qhv && maxleaf >= QHV_CPUID_VERSION) {
		__cpuid(QHV_CPUID_VERSION, a, b, c, d);
		printf(" abi=0x%08x", a);
	}
	printf("\n");
	return is_qhv ? 0 : 1;
}
