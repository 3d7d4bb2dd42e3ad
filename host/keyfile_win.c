/*
 * keyfile.h for guestctl.exe. Windows has no mode bits: the rule "only
 * its owner may read it" is checked on the file's access control list.
 * A key file is refused when it is not a plain file (a directory, device
 * or reparse point such as a symbolic link), when its owner is neither
 * the user running guestctl nor Administrators nor SYSTEM, or when its
 * DACL is missing or lets Everyone, Authenticated Users, Users, Guests or
 * Anonymous read it. keygen creates the file with a protected DACL that
 * grants the user alone full access. Random bytes come from CNG's system
 * RNG (BCryptGenRandom).
 */
#include "keyfile.h"

#include <windows.h>
#include <aclapi.h>
#include <bcrypt.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define GD_TOKEN_USER_MAX 128 /* TOKEN_USER and its SID */

static int fail(char *err, size_t errcap, const char *path, const char *why)
{
	snprintf(err, errcap, "key file %s: %s", path, why);
	return -1;
}

/* fail() with GetLastError()'s code after the reason. */
static int fail_win(char *err, size_t errcap, const char *path,
		    const char *why)
{
	snprintf(err, errcap, "key file %s: %s (Windows error %lu)", path, why,
		 (unsigned long)GetLastError());
	return -1;
}

/* The SID of the user running this process, in buf; NULL if unknown. */
static PSID current_user(void *buf, DWORD cap)
{
	HANDLE token;
	DWORD len = 0;
	BOOL ok;

	if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
		return NULL;
	ok = GetTokenInformation(token, TokenUser, buf, cap, &len);
	CloseHandle(token);
	return ok ? ((TOKEN_USER *)buf)->User.Sid : NULL;
}

static int is_well_known(PSID sid, WELL_KNOWN_SID_TYPE type)
{
	BYTE known[SECURITY_MAX_SID_SIZE];
	DWORD len = sizeof known;

	return CreateWellKnownSid(type, NULL, known, &len) &&
	       EqualSid(sid, known);
}

static const char *bad_owner(PSID owner)
{
	union {
		TOKEN_USER user;
		BYTE bytes[GD_TOKEN_USER_MAX];
	} buf;
	PSID me = current_user(&buf, sizeof buf);

	if (!owner || !me)
		return "its owner is unknown";
	if (EqualSid(owner, me) || is_well_known(owner, WinBuiltinAdministratorsSid) ||
	    is_well_known(owner, WinLocalSystemSid))
		return NULL;
	return "owned by another user";
}

/* Groups that take in other users: none may read the key. */
static const char *broad_reader(const ACL *dacl)
{
	static const struct {
		WELL_KNOWN_SID_TYPE type;
		const char *why;
	} broad[] = {
		{ WinWorldSid, "Everyone may read it" },
		{ WinAuthenticatedUserSid, "Authenticated Users may read it" },
		{ WinBuiltinUsersSid, "Users may read it" },
		{ WinBuiltinGuestsSid, "Guests may read it" },
		{ WinAnonymousSid, "Anonymous may read it" },
	};
	const DWORD reads = FILE_READ_DATA | GENERIC_READ | GENERIC_ALL;

	if (!dacl)
		return "it has no access control list (everyone may read it)";
	for (DWORD i = 0; i < dacl->AceCount; i++) {
		ACCESS_ALLOWED_ACE *ace;

		if (!GetAce((PACL)dacl, i, (void **)&ace) ||
		    ace->Header.AceType != ACCESS_ALLOWED_ACE_TYPE ||
		    !(ace->Mask & reads))
			continue;
		for (size_t k = 0; k < sizeof broad / sizeof broad[0]; k++)
			if (is_well_known((PSID)&ace->SidStart, broad[k].type))
				return broad[k].why;
	}
	return NULL;
}

static const char *unsafe(HANDLE h)
{
	BY_HANDLE_FILE_INFORMATION info;
	PSECURITY_DESCRIPTOR sd = NULL;
	PSID owner = NULL;
	PACL dacl = NULL;
	const char *why;

	if (GetFileType(h) != FILE_TYPE_DISK ||
	    !GetFileInformationByHandle(h, &info) ||
	    (info.dwFileAttributes & (FILE_ATTRIBUTE_DIRECTORY |
				      FILE_ATTRIBUTE_REPARSE_POINT)))
		return "not a regular file";
	if (GetSecurityInfo(h, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION |
			    DACL_SECURITY_INFORMATION, &owner, NULL, &dacl,
			    NULL, &sd) != ERROR_SUCCESS)
		return "cannot read its access control list";
	why = bad_owner(owner);
	if (!why)
		why = broad_reader(dacl);
	LocalFree(sd);
	return why;
}

int gd_key_file_load(const char *path, uint8_t key[GD_AUTH_KEY_LEN],
		     char *err, size_t errcap)
{
	uint8_t text[GD_AUTH_KEYFILE_MAX + 1];
	size_t len = 0;
	const char *why;
	HANDLE h = CreateFileA(path, GENERIC_READ | READ_CONTROL,
			       FILE_SHARE_READ, NULL, OPEN_EXISTING,
			       FILE_FLAG_OPEN_REPARSE_POINT, NULL);

	if (h == INVALID_HANDLE_VALUE)
		return fail_win(err, errcap, path, "cannot open it");
	why = unsafe(h);
	while (!why && len < sizeof text) {
		DWORD n = 0;

		if (!ReadFile(h, text + len, (DWORD)(sizeof text - len), &n,
			      NULL))
			why = "cannot read it";
		if (!n)
			break;
		len += n;
	}
	CloseHandle(h);
	if (!why && gd_auth_key_parse(text, len, key))
		why = "not 32 raw bytes or 64 hex digits";
	gd_wipe(text, sizeof text);
	return why ? fail(err, errcap, path, why) : 0;
}

/* A protected DACL in acl_buf: the current user, full access, alone. */
static int owner_only(SECURITY_DESCRIPTOR *sd, void *acl_buf, DWORD acl_cap)
{
	union {
		TOKEN_USER user;
		BYTE bytes[GD_TOKEN_USER_MAX];
	} buf;
	PSID me = current_user(&buf, sizeof buf);
	PACL acl = acl_buf;

	return me && InitializeAcl(acl, acl_cap, ACL_REVISION) &&
	       AddAccessAllowedAce(acl, ACL_REVISION, GENERIC_ALL, me) &&
	       InitializeSecurityDescriptor(sd, SECURITY_DESCRIPTOR_REVISION) &&
	       SetSecurityDescriptorDacl(sd, TRUE, acl, FALSE) &&
	       SetSecurityDescriptorControl(sd, SE_DACL_PROTECTED,
					    SE_DACL_PROTECTED);
}

int gd_key_file_create(const char *path, const uint8_t key[GD_AUTH_KEY_LEN],
		       char *err, size_t errcap)
{
	char hex[GD_AUTH_KEY_HEX_LEN + 2];
	DWORD len = GD_AUTH_KEY_HEX_LEN + 1, wrote = 0;
	SECURITY_DESCRIPTOR sd;
	union {
		ACL acl;
		BYTE bytes[sizeof(ACL) + sizeof(ACCESS_ALLOWED_ACE) +
			   SECURITY_MAX_SID_SIZE];
	} acl;
	SECURITY_ATTRIBUTES sa = { sizeof sa, &sd, FALSE };
	HANDLE h;
	BOOL ok;

	if (!owner_only(&sd, &acl, sizeof acl))
		return fail(err, errcap, path, "cannot build an owner-only ACL");
	h = CreateFileA(path, GENERIC_WRITE, 0, &sa, CREATE_NEW,
			FILE_ATTRIBUTE_NORMAL, NULL);
	if (h == INVALID_HANDLE_VALUE && GetLastError() == ERROR_FILE_EXISTS)
		return fail(err, errcap, path, "already exists (not overwritten)");
	if (h == INVALID_HANDLE_VALUE)
		return fail_win(err, errcap, path, "cannot create it");
	gd_auth_key_hex(key, hex);
	hex[GD_AUTH_KEY_HEX_LEN] = '\n';
	ok = WriteFile(h, hex, len, &wrote, NULL) && wrote == len &&
	     FlushFileBuffers(h);
	gd_wipe(hex, sizeof hex);
	if (!CloseHandle(h) || !ok) {
		DeleteFileA(path);
		return fail(err, errcap, path, "cannot write it");
	}
	return 0;
}

int gd_random(void *p, size_t n)
{
	if (n > 0xffffffffu || BCryptGenRandom(NULL, p, (ULONG)n,
			    BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) {
		errno = EIO;
		return -1;
	}
	return 0;
}
