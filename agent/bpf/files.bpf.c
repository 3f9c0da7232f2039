// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Who changes files: each open for writing, deletion, rename, change of mode, owner,
 * size, times or extended attributes, and each new folder or link, with the process that asked
 * for it (pid, user, the program's real path), from the system call tracepoints, which
 * every kernel with eBPF has. The path is sent as the process gave it, with the folder
 * it is relative to (the working folder or the descriptor's) read in the kernel; the
 * agent joins them and keeps what is under a watched path, for the file events its
 * watches report. The agent's own calls are left out here.
 *
 * Qui modifie les fichiers : chaque ouverture en écriture, suppression, renommage,
 * changement de droits, de propriétaire, de taille, de dates ou d'attributs étendus, et
 * chaque nouveau dossier, avec le processus qui l'a demandé, depuis les points de trace
 * des appels système.
 *
 * Only calls that may touch a watched path leave the kernel: the agent lists its watched
 * roots (as text, for names given whole) and the inode numbers of the roots and of the
 * folders above them (for names taken from a folder and for descriptors). A file storm
 * elsewhere on the machine then costs a comparison or two per call, not a record the
 * agent must read and throw away (it halved the speed of a busy writer). The filter
 * only ever keeps too much: names it cannot judge (with `.`, `..` or `//` in them) are
 * sent, and the agent decides as before.
 *
 * The record layout is read by agent/src/sensors/file/who.rs: keep them in step.
 */
#include "kernel_types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "path.h"
#include "task.h"
#include "pack.h"

#define OP_WRITE 1
#define OP_UNLINK 3
#define OP_RENAME 4
#define OP_CHMOD 5
#define OP_CHOWN 6
#define OP_TRUNCATE 7
#define OP_UTIMES 8
#define OP_MKDIR 9
#define OP_RMDIR 10
#define OP_SETXATTR 11
#define OP_LINK 12

#define TRUNCATED_BASE 1
#define TRUNCATED_BASE2 2
#define TRUNCATED_EXE 4

#define NAME_BUF 512
#define AT_FDCWD -100
#define AT_REMOVEDIR 0x200
#define O_WRONLY 01
#define O_RDWR 02
#define O_CREAT 0100
#define O_TRUNC 01000

/* A system call's entry, as every syscalls/sys_enter_* tracepoint lays it out. */
struct sys_enter {
	u64 common;
	int nr;
	int pad;
	u64 args[6];
};

struct file_record {
	u32 op;
	u32 pid;
	u32 uid;
	u32 flags;
	u16 name_len;
	u16 name2_len;
	u16 base_len;
	u16 base2_len;
	u16 exe_len;
	u16 args_len;
	u32 ppid;
	char comm[16];
	char name[NAME_BUF];
	char name2[NAME_BUF];
	char base[PATH_BUF];
	char base2[PATH_BUF];
	char exe[PATH_BUF];
	/* The process's arguments, NUL-separated, cut at ARGS_READ: read here, as a
	 * process that writes a file and exits at once is gone from /proc. */
	char args[ARGS_READ];
	/* Not sent: where read_path writes next. */
	u32 walk_off;
};

/* Room for a few thousand file changes waiting to be read (records of a hundred bytes or
 * so; about 90 if every field were as long as it may be): the agent maps the ring twice
 * (for wrap-around), so each byte here counts twice in its memory. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 512 << 10);
} file_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct file_record);
} file_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} file_drops SEC(".maps");

/* Room to pack a record before it goes into the ring (see pack.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct packed);
} file_packed SEC(".maps");

#define HEADER offsetof(struct file_record, name)

#define ROOT_LEN 128
#define INODE_ROOT 1
#define INODE_ABOVE_ROOT 2

/* A path as a map key: its bytes, then zeros. */
struct root_name {
	char path[ROOT_LEN];
};

/* The watched roots as text, without a trailing slash (INODE_ROOT), and the folders
 * above them (INODE_ABOVE_ROOT), set by the agent. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct root_name);
	__type(value, u8);
} root_names SEC(".maps");

/* Non-zero once the agent has set the filter; until then (or when its roots cannot be
 * filtered here) every call is sent. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u32);
} root_count SEC(".maps");

/* Inode numbers of the roots and of the folders above them, kept up to date by the
 * agent. A number shared with a file elsewhere only makes more calls sent. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, u64);
	__type(value, u8);
} root_inodes SEC(".maps");

/* Where a name's leading part is built to be looked up in root_names. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct root_name);
} name_scratch SEC(".maps");

/* Whether calls are filtered at all. */
static __always_inline int filtering(void)
{
	u32 zero = 0;
	u32 *count = bpf_map_lookup_elem(&root_count, &zero);

	return count && *count > 0;
}

/* 1 when the byte `x` is `k`, else 0, computed without a branch: the verifier walks
 * each branch of a loop's body on every turn, so a branchy test of each byte cost it
 * ~100,000 instructions per program (seconds of CPU at each start); this costs a few
 * per byte. The barrier keeps clang from turning it back into a compare and jump. */
static __always_inline u64 byte_is(u64 x, u64 k)
{
	u64 d = x ^ k; /* 0..255, 0 when equal */

	barrier_var(d);
	return (d - 1) >> 63;
}

/* Whether `name` (`len` bytes with its NUL) holds no `.` or `..` part and no `//`: then
 * it means what it says, and comparing its text judges it. A part that only starts with
 * `..` (`..x`) also counts as not plain: such a name is sent, never lost. */
static __always_inline int plain(const char *name, u32 len)
{
	u64 prev = '/';
	u64 odd = 0;

	for (u32 i = 0; i < NAME_BUF; i++) {
		if (i + 1 >= len)
			break;
		/* `next` is at most the NUL at len - 1, as i + 1 < len. */
		u64 c = (u8)name[i & (NAME_BUF - 1)];
		u64 next = (u8)name[(i + 1) & (NAME_BUF - 1)];
		u64 not_first = i > 0;
		u64 dot_part = byte_is(c, '.') & (byte_is(next, '/') | byte_is(next, 0) | byte_is(next, '.'));

		odd |= byte_is(prev, '/') & ((byte_is(c, '/') & not_first) | dot_part);
		prev = c;
	}
	return odd == 0;
}

/* Whether the absolute, plain `name` may be a watched path: one of its leading folders
 * is a root, or the whole name is a root or a folder above one (renamed with a root
 * inside). Roots are shorter than ROOT_LEN, so the first ROOT_LEN bytes tell. */
static __always_inline int name_kept(const char *name)
{
	u32 zero = 0;

	struct root_name *key = bpf_map_lookup_elem(&name_scratch, &zero);

	if (!key)
		return 1;
	__builtin_memset(key->path, 0, ROOT_LEN);
	for (u32 i = 0; i < ROOT_LEN; i++) {
		char c = name[i];

		if (c == '/' || c == 0) {
			u8 *mark = bpf_map_lookup_elem(&root_names, key);

			if (mark && (*mark == INODE_ROOT || c == 0))
				return 1;
			if (c == 0)
				return 0;
		}
		key->path[i] = c;
	}
	return 0;
}

static __always_inline u8 inode_mark(struct dentry *dentry)
{
	u64 ino = BPF_CORE_READ(dentry, d_inode, i_ino);
	u8 *mark = bpf_map_lookup_elem(&root_inodes, &ino);

	return mark ? *mark : 0;
}

/* Whether the folder or file `dentry` (in `vfsmnt`) is a root or below one, or, when
 * `descend` (a name is taken from it), a folder above one. */
static __always_inline int dentry_kept(struct dentry *dentry, struct vfsmount *vfsmnt, int descend)
{
	if (!filtering())
		return 1;
	u8 own = inode_mark(dentry);

	if (own == INODE_ROOT || (descend && own == INODE_ABOVE_ROOT))
		return 1;
	struct mount *mnt = (void *)vfsmnt - bpf_core_field_offset(struct mount, mnt);

	for (int i = 0; i < PATH_DEPTH; i++) {
		struct dentry *parent = BPF_CORE_READ(dentry, d_parent);

		if (dentry == BPF_CORE_READ(vfsmnt, mnt_root) || dentry == parent) {
			struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

			if (up == mnt || !up)
				return 0;
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = up;
			vfsmnt = __builtin_preserve_access_index(&up->mnt);
		} else {
			dentry = parent;
		}
		if (inode_mark(dentry) == INODE_ROOT)
			return 1;
	}
	return 1; /* deeper than walked: cannot tell */
}

/* A blank record for the current process, or NULL when it is the agent. */
static __always_inline struct file_record *begin(u32 op)
{
	u32 zero = 0;
	u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (is_agent())
		return NULL;
	struct file_record *r = bpf_map_lookup_elem(&file_scratch, &zero);

	if (!r)
		return NULL;
	r->op = op;
	r->pid = tgid;
	r->ppid = BPF_CORE_READ((struct task_struct *)bpf_get_current_task(), real_parent, tgid);
	r->uid = (u32)bpf_get_current_uid_gid();
	r->flags = 0;
	r->name_len = 0;
	r->name2_len = 0;
	r->base_len = 0;
	r->base2_len = 0;
	return r;
}

/* The folder a relative name is taken from: the working folder or descriptor `dfd`'s;
 * 0 when there is none. */
static __always_inline int base_of(int dfd, struct dentry **dentry, struct vfsmount **mnt)
{
	if (dfd == AT_FDCWD) {
		struct task_struct *task = (struct task_struct *)bpf_get_current_task();
		struct fs_struct *fs = BPF_CORE_READ(task, fs);

		if (!fs)
			return 0;
		*dentry = BPF_CORE_READ(fs, pwd.dentry);
		*mnt = BPF_CORE_READ(fs, pwd.mnt);
		return 1;
	}
	struct file *file = file_of(dfd);

	if (!file)
		return 0;
	*dentry = BPF_CORE_READ(file, f_path.dentry);
	*mnt = BPF_CORE_READ(file, f_path.mnt);
	return 1;
}

/* Reads the folder a relative name is taken from (see base_of). */
static __always_inline u16 read_base(struct file_record *r, char *buf, int dfd, u32 flag)
{
	struct dentry *dentry;
	struct vfsmount *mnt;

	if (!base_of(dfd, &dentry, &mnt))
		return 0;
	return read_path(&r->walk_off, &r->flags, buf, dentry, mnt, flag);
}

/* Whether `name` (`len` bytes), relative to `dfd` unless absolute, may be watched. */
static __always_inline int kept(const char *name, u32 len, int dfd)
{
	struct dentry *dentry;
	struct vfsmount *mnt;

	/* One check of the text for both kinds of name: each copy of `plain` inlined costs
	 * the verifier tens of thousands of instructions at every start. */
	if (!filtering() || !plain(name, len))
		return 1;
	if (name[0] == '/')
		return name_kept(name);
	if (!base_of(dfd, &dentry, &mnt))
		return 1;
	return dentry_kept(dentry, mnt, 1);
}

static __always_inline void send(struct file_record *r)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	bpf_get_current_comm(r->comm, sizeof(r->comm));
	r->exe_len = read_exe(&r->walk_off, &r->flags, r->exe, task, TRUNCATED_EXE);
	r->args_len = read_args(task, r->args);
	u32 zero = 0;
	struct packed *p = bpf_map_lookup_elem(&file_packed, &zero);

	if (!p)
		return;
	bpf_probe_read_kernel(p->buf, HEADER, r);
	u32 off = HEADER;

	off = append(p->buf, off, r->name, r->name_len, NAME_BUF);
	off = append(p->buf, off, r->name2, r->name2_len, NAME_BUF);
	off = append(p->buf, off, r->base, r->base_len, PATH_BUF);
	off = append(p->buf, off, r->base2, r->base2_len, PATH_BUF);
	off = append(p->buf, off, r->exe, r->exe_len, PATH_BUF);
	off = append(p->buf, off, r->args, r->args_len, ARGS_READ);
	send_packed(&file_events, &file_drops, p->buf, off);
}

/* `op` on the name at user address `name`, relative to `dfd` unless absolute. */
static __always_inline int name_op(u32 op, int dfd, const char *name)
{
	struct file_record *r = begin(op);

	if (!r)
		return 0;
	long n = bpf_probe_read_user_str(r->name, NAME_BUF, name);

	if (n <= 0)
		return 0;
	r->name_len = n;
	if (!kept(r->name, n, dfd))
		return 0;
	if (r->name[0] != '/')
		r->base_len = read_base(r, r->base, dfd, TRUNCATED_BASE);
	send(r);
	return 0;
}

/* `op` on the file behind descriptor `fd`. */
static __always_inline int fd_op(u32 op, int fd)
{
	struct file *file = file_of(fd);

	if (!file || !dentry_kept(BPF_CORE_READ(file, f_path.dentry), BPF_CORE_READ(file, f_path.mnt), 0))
		return 0;
	struct file_record *r = begin(op);

	if (!r)
		return 0;
	r->base_len = read_path(&r->walk_off, &r->flags, r->base, BPF_CORE_READ(file, f_path.dentry),
				BPF_CORE_READ(file, f_path.mnt), TRUNCATED_BASE);
	send(r);
	return 0;
}

static __always_inline int rename_op(int olddfd, const char *old, int newdfd, const char *new)
{
	struct file_record *r = begin(OP_RENAME);

	if (!r)
		return 0;
	long n = bpf_probe_read_user_str(r->name, NAME_BUF, old);
	long n2 = bpf_probe_read_user_str(r->name2, NAME_BUF, new);

	if (n <= 0 || n2 <= 0)
		return 0;
	r->name_len = n;
	r->name2_len = n2;
	if (!kept(r->name, n, olddfd) && !kept(r->name2, n2, newdfd))
		return 0;
	if (r->name[0] != '/')
		r->base_len = read_base(r, r->base, olddfd, TRUNCATED_BASE);
	if (r->name2[0] != '/')
		r->base2_len = read_base(r, r->base2, newdfd, TRUNCATED_BASE2);
	send(r);
	return 0;
}

static __always_inline int open_op(int dfd, const char *name, u64 flags)
{
	if (!(flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)))
		return 0;
	return name_op(OP_WRITE, dfd, name);
}

#define ARG(n) (ctx->args[n])
#define TP(call) SEC("tracepoint/syscalls/sys_enter_" #call) int on_##call(struct sys_enter *ctx)

TP(open) { return open_op(AT_FDCWD, (const char *)ARG(0), ARG(1)); }
TP(creat) { return name_op(OP_WRITE, AT_FDCWD, (const char *)ARG(0)); }
TP(openat) { return open_op(ARG(0), (const char *)ARG(1), ARG(2)); }
TP(openat2)
{
	u64 flags = 0;

	bpf_probe_read_user(&flags, sizeof(flags), (void *)ARG(2));
	return open_op(ARG(0), (const char *)ARG(1), flags);
}

TP(unlink) { return name_op(OP_UNLINK, AT_FDCWD, (const char *)ARG(0)); }
TP(unlinkat)
{
	return name_op(ARG(2) & AT_REMOVEDIR ? OP_RMDIR : OP_UNLINK, ARG(0), (const char *)ARG(1));
}
TP(rmdir) { return name_op(OP_RMDIR, AT_FDCWD, (const char *)ARG(0)); }
TP(mkdir) { return name_op(OP_MKDIR, AT_FDCWD, (const char *)ARG(0)); }
TP(mkdirat) { return name_op(OP_MKDIR, ARG(0), (const char *)ARG(1)); }

TP(rename) { return rename_op(AT_FDCWD, (const char *)ARG(0), AT_FDCWD, (const char *)ARG(1)); }
TP(renameat) { return rename_op(ARG(0), (const char *)ARG(1), ARG(2), (const char *)ARG(3)); }
TP(renameat2) { return rename_op(ARG(0), (const char *)ARG(1), ARG(2), (const char *)ARG(3)); }

TP(chmod) { return name_op(OP_CHMOD, AT_FDCWD, (const char *)ARG(0)); }
TP(fchmodat) { return name_op(OP_CHMOD, ARG(0), (const char *)ARG(1)); }
TP(fchmod) { return fd_op(OP_CHMOD, ARG(0)); }

TP(chown) { return name_op(OP_CHOWN, AT_FDCWD, (const char *)ARG(0)); }
TP(lchown) { return name_op(OP_CHOWN, AT_FDCWD, (const char *)ARG(0)); }
TP(fchownat) { return name_op(OP_CHOWN, ARG(0), (const char *)ARG(1)); }
TP(fchown) { return fd_op(OP_CHOWN, ARG(0)); }

TP(truncate) { return name_op(OP_TRUNCATE, AT_FDCWD, (const char *)ARG(0)); }
TP(ftruncate) { return fd_op(OP_TRUNCATE, ARG(0)); }

TP(utime) { return name_op(OP_UTIMES, AT_FDCWD, (const char *)ARG(0)); }
TP(utimes) { return name_op(OP_UTIMES, AT_FDCWD, (const char *)ARG(0)); }
TP(futimesat) { return name_op(OP_UTIMES, ARG(0), (const char *)ARG(1)); }
TP(utimensat)
{
	/* No name: the descriptor's own file (futimens). */
	if (!ARG(1))
		return fd_op(OP_UTIMES, ARG(0));
	return name_op(OP_UTIMES, ARG(0), (const char *)ARG(1));
}

/* A new symbolic or hard link: the new name appears. */
TP(symlink) { return name_op(OP_LINK, AT_FDCWD, (const char *)ARG(1)); }
TP(symlinkat) { return name_op(OP_LINK, ARG(1), (const char *)ARG(2)); }
TP(link) { return name_op(OP_LINK, AT_FDCWD, (const char *)ARG(1)); }
TP(linkat) { return name_op(OP_LINK, ARG(2), (const char *)ARG(3)); }

TP(setxattr) { return name_op(OP_SETXATTR, AT_FDCWD, (const char *)ARG(0)); }
TP(lsetxattr) { return name_op(OP_SETXATTR, AT_FDCWD, (const char *)ARG(0)); }
TP(fsetxattr) { return fd_op(OP_SETXATTR, ARG(0)); }

char LICENSE[] SEC("license") = "Dual BSD/GPL";
