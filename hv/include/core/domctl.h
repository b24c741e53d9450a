/* SPDX-License-Identifier: MIT */
#ifndef QHV_CORE_DOMCTL_H
#define QHV_CORE_DOMCTL_H

#include <stdint.h>
#include "core/domain.h"

/**
 * domctl() - QHV_HC_DOMCTL(op, buf, len) from @v (see <qhv/domctl.h>).
 * sysctl() - QHV_HC_SYSCTL(op, buf, len).
 *
 * Return: the value for the guest's RAX: >= 0, or -QHV_EPERM for any
 * caller but dom0, -QHV_ENOSYS for an unknown op, -QHV_EINVAL for a wrong
 * size, version or field, -QHV_EFAULT for an unmapped buffer, -QHV_ESRCH
 * for an unknown domain id, and the operation's own errors.
 */
int64_t domctl(struct vcpu *v, uint64_t op, uint64_t buf, uint64_t len);
int64_t sysctl(struct vcpu *v, uint64_t op, uint64_t buf, uint64_t len);

#endif
