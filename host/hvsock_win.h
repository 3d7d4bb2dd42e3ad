/*
 * Hyper-V sockets (AF_HYPERV) for guestctl on Windows: the few constants
 * and structures a mingw-w64 build may lack, plus a portable mirror of
 * SOCKADDR_HV that compiles everywhere so its layout is tested on Linux.
 *
 * Sources:
 *  [MS-IS]  Microsoft, "Make your own integration services",
 *           learn.microsoft.com/virtualization/hyper-v-on-windows/
 *           user-guide/make-integration-service: socket(AF_HYPERV,
 *           SOCK_STREAM, HV_PROTOCOL_RAW) and struct SOCKADDR_HV
 *           { ADDRESS_FAMILY Family; USHORT Reserved; GUID VmId;
 *           GUID ServiceId; }.
 *  [SDK]    Windows SDK ws2def.h ("#define AF_HYPERV 34", for
 *           _WIN32_WINNT >= 0x0604) and hvsocket.h (HV_PROTOCOL_RAW,
 *           SOCKADDR_HV, HVSOCKET_* options at level HV_PROTOCOL_RAW).
 *  [MINGW]  mingw-w64 10.0.0 as shipped by Debian bookworm
 *           (mingw-w64-x86-64-dev): hvsocket.h has HV_PROTOCOL_RAW,
 *           SOCKADDR_HV, the HV_GUID_* values and HVSOCKET_CONNECT_TIMEOUT,
 *           _CONNECT_TIMEOUT_MAX, _CONTAINER_PASSTHRU, _CONNECTED_SUSPEND;
 *           winsock2.h stops at AF_BTH 32 / AF_MAX 33, so AF_HYPERV is the
 *           one thing missing there.
 *
 * Everything below is defined only when the system headers have not
 * already done so. On Windows this header includes <winsock2.h> and, when
 * present, <hvsocket.h>; the latter pulls in <initguid.h>, so the HV_GUID_*
 * constants become selectany definitions in the including file. Include
 * it before <windows.h>. libmini/hvguid.h provides the GUID values and
 * byte layout; this header describes the socket address and fills it.
 */
#ifndef GD_HVSOCK_WIN_H
#define GD_HVSOCK_WIN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hvguid.h"

/* Address family and protocol numbers, the same on every platform. */
#define GD_AF_HYPERV 34       /* [SDK] ws2def.h AF_HYPERV */
#define GD_HV_PROTOCOL_RAW 1  /* [SDK] hvsocket.h HV_PROTOCOL_RAW */

/*
 * Portable mirror of SOCKADDR_HV ([MS-IS], [SDK]): 36 bytes, GUIDs in the
 * Windows in-memory layout (fill them with gd_guid_to_bytes()). Family is
 * GD_AF_HYPERV in host byte order (Windows is little-endian) and Reserved
 * must be 0. The bytes of a filled gd_sockaddr_hv are a valid SOCKADDR_HV.
 */
struct gd_sockaddr_hv {
	uint16_t family;
	uint16_t reserved;
	uint8_t vm_id[16];
	uint8_t service_id[16];
};

/*
 * Compile-time layout checks (C99 has no _Static_assert): a negative array
 * size breaks the build if the layout differs from SOCKADDR_HV's.
 */
#define GD_HV_ASSERT(name, cond) typedef char name[(cond) ? 1 : -1]
GD_HV_ASSERT(gd_sockaddr_hv_size_is_36,
	sizeof(struct gd_sockaddr_hv) == 36);
GD_HV_ASSERT(gd_sockaddr_hv_family_at_0,
	offsetof(struct gd_sockaddr_hv, family) == 0);
GD_HV_ASSERT(gd_sockaddr_hv_reserved_at_2,
	offsetof(struct gd_sockaddr_hv, reserved) == 2);
GD_HV_ASSERT(gd_sockaddr_hv_vm_id_at_4,
	offsetof(struct gd_sockaddr_hv, vm_id) == 4);
GD_HV_ASSERT(gd_sockaddr_hv_service_id_at_20,
	offsetof(struct gd_sockaddr_hv, service_id) == 20);

/*
 * Fill *sa to reach the AF_VSOCK listener on `port` in VM `vm`: family
 * GD_AF_HYPERV, Reserved 0, VmId = vm, ServiceId = the port's service
 * GUID (gd_guid_from_vsock_port), both in the Windows GUID layout.
 */
static inline void gd_sockaddr_hv_fill(struct gd_sockaddr_hv *sa,
	const struct gd_guid *vm, uint32_t port)
{
	struct gd_guid service;

	memset(sa, 0, sizeof *sa);
	sa->family = GD_AF_HYPERV;
	gd_guid_to_bytes(vm, sa->vm_id);
	gd_guid_from_vsock_port(port, &service);
	gd_guid_to_bytes(&service, sa->service_id);
}

#ifdef _WIN32

#include <winsock2.h>

#if defined(__has_include)
#if __has_include(<hvsocket.h>)
#include <hvsocket.h>
#endif
#endif

/* [SDK] ws2def.h; absent from mingw-w64 10.0.0's winsock2.h. */
#ifndef AF_HYPERV
#define AF_HYPERV 34
#endif

/*
 * hvsocket.h defines HV_PROTOCOL_RAW and SOCKADDR_HV together, so a
 * missing HV_PROTOCOL_RAW means SOCKADDR_HV is missing too.
 */
#ifndef HV_PROTOCOL_RAW
#define HV_PROTOCOL_RAW 1

/* [MS-IS], [SDK] hvsocket.h */
typedef struct _SOCKADDR_HV {
	ADDRESS_FAMILY Family;
	USHORT Reserved;
	GUID VmId;
	GUID ServiceId;
} SOCKADDR_HV, *PSOCKADDR_HV;
#endif

/*
 * Socket options at level HV_PROTOCOL_RAW ([SDK], [MINGW] hvsocket.h).
 * HVSOCKET_CONNECT_TIMEOUT takes a ULONG in milliseconds, at most
 * HVSOCKET_CONNECT_TIMEOUT_MAX (5 minutes); HVSOCKET_CONNECTED_SUSPEND,
 * non-zero, keeps the connection open while the VM is paused.
 */
#ifndef HVSOCKET_CONNECT_TIMEOUT
#define HVSOCKET_CONNECT_TIMEOUT 0x01
#endif
#ifndef HVSOCKET_CONNECT_TIMEOUT_MAX
#define HVSOCKET_CONNECT_TIMEOUT_MAX 300000
#endif
#ifndef HVSOCKET_CONNECTED_SUSPEND
#define HVSOCKET_CONNECTED_SUSPEND 0x04
#endif

GD_HV_ASSERT(gd_af_hyperv_matches, AF_HYPERV == GD_AF_HYPERV);
GD_HV_ASSERT(gd_hv_protocol_raw_matches,
	HV_PROTOCOL_RAW == GD_HV_PROTOCOL_RAW);
GD_HV_ASSERT(gd_sockaddr_hv_win_size,
	sizeof(SOCKADDR_HV) == sizeof(struct gd_sockaddr_hv));
GD_HV_ASSERT(gd_sockaddr_hv_win_vmid,
	offsetof(SOCKADDR_HV, VmId) == offsetof(struct gd_sockaddr_hv, vm_id));
GD_HV_ASSERT(gd_sockaddr_hv_win_serviceid,
	offsetof(SOCKADDR_HV, ServiceId)
	== offsetof(struct gd_sockaddr_hv, service_id));
GD_HV_ASSERT(gd_guid_is_16, sizeof(GUID) == 16);

#endif /* _WIN32 */

#endif
