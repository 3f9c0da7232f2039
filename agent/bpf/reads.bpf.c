// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Who reads sensitive files: at each open, the file's inode number is looked up in
 * `watched_inodes`, which the agent fills from its list of sensitive paths (password
 * hashes, private keys, shell histories, credential stores); an open for reading of one
 * of them, and any open of a process's memory (/proc/PID/mem), is sent with the process
 * that asked (pid, parent, user, program, arguments). Every other open costs one hash
 * lookup and nothing leaves the kernel. The agent's own opens are left out.
 *
 * The hook is the LSM check every open goes through (`security_file_open`, by fentry),
 * so opens through io_uring are seen too; where fentry is missing, the ends of the open
 * system calls stand in for it.
 *
 * Qui lit les fichiers sensibles : à chaque ouverture, le numéro d'inode du fichier est
 * cherché dans `watched_inodes`, que l'agent remplit depuis sa liste de chemins
 * sensibles ; une ouverture en lecture de l'un d'eux, ou de la mémoire d'un processus,
 * est envoyée avec le processus qui l'a demandée.
 *
 * The record layout is read by agent/src/sensors/reads/probe.rs: keep them in step.
 */
#include "kernel_types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "path.h"
#include "task.h"
#include "pack.h"

#define KIND_WATCHED 1
#define KIND_PROC_MEM 2
#define TRUNCATED_PATH 1
#define TRUNCATED_EXE 2
#define PROC_SUPER_MAGIC 0x9fa0
#define O_ACCMODE 3
#define O_WRONLY 1

struct read_record {
	u32 kind;
	u32 pid;
	u32 ppid;
	u32 uid;
	u32 flags;
	u32 open_flags;
	u64 ino;
	/* The file system's device (the kernel's encoding): with `ino`, the file itself, so
	 * the agent need not look at a name that may be gone by then. */
	u32 dev;
	u16 path_len;
	u16 exe_len;
	u16 args_len;
	u16 reserved;
	char comm[16];
	char path[PATH_BUF];
	char exe[PATH_BUF];
	char args[ARGS_READ];
	/* Not sent: where read_path writes next. */
	u32 walk_off;
};

#define HEADER offsetof(struct read_record, path)

/* The inode numbers of the sensitive files, set by the agent (a number shared by a file
 * elsewhere is sent too; the agent checks the device and drops it). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, u64);
	__type(value, u8);
} watched_inodes SEC(".maps");

/* Reads are rare: room for a few hundred records of half a kilobyte. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 << 10);
} read_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct read_record);
} read_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct packed);
} read_packed SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} read_drops SEC(".maps");

/* Whether `file` is a /proc/PID/mem. */
static __always_inline int is_proc_mem(struct file *file, struct inode *inode)
{
	char name[4] = {};

	if (BPF_CORE_READ(inode, i_sb, s_magic) != PROC_SUPER_MAGIC)
		return 0;
	bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(file, f_path.dentry, d_name.name));
	return name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 0;
}

static __always_inline int report(struct file *file)
{
	if (!file)
		return 0;
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	u64 ino = BPF_CORE_READ(inode, i_ino);
	u32 kind = 0;

	if (bpf_map_lookup_elem(&watched_inodes, &ino))
		kind = KIND_WATCHED;
	else if (is_proc_mem(file, inode))
		kind = KIND_PROC_MEM;
	if (!kind || is_agent())
		return 0;
	u32 open_flags = BPF_CORE_READ(file, f_flags);

	/* Written, not read: the file sensor reports the change with its author. */
	if (kind == KIND_WATCHED && (open_flags & O_ACCMODE) == O_WRONLY)
		return 0;
	u32 zero = 0;
	struct read_record *r = bpf_map_lookup_elem(&read_scratch, &zero);
	struct packed *p = bpf_map_lookup_elem(&read_packed, &zero);

	if (!r || !p)
		return 0;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	r->kind = kind;
	r->pid = bpf_get_current_pid_tgid() >> 32;
	r->ppid = BPF_CORE_READ(task, real_parent, tgid);
	r->uid = (u32)bpf_get_current_uid_gid();
	r->flags = 0;
	r->open_flags = open_flags;
	r->ino = ino;
	r->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	r->path_len = read_path(&r->walk_off, &r->flags, r->path, BPF_CORE_READ(file, f_path.dentry),
				BPF_CORE_READ(file, f_path.mnt), TRUNCATED_PATH);
	r->exe_len = read_exe(&r->walk_off, &r->flags, r->exe, task, TRUNCATED_EXE);
	r->args_len = read_args(task, r->args);
	bpf_probe_read_kernel(p->buf, HEADER, r);
	u32 off = HEADER;

	off = append(p->buf, off, r->path, r->path_len, PATH_BUF);
	off = append(p->buf, off, r->exe, r->exe_len, PATH_BUF);
	off = append(p->buf, off, r->args, r->args_len, ARGS_READ);
	send_packed(&read_events, &read_drops, p->buf, off);
	return 0;
}

SEC("fentry/security_file_open")
int BPF_PROG(on_file_open, struct file *file)
{
	return report(file);
}

/* Without fentry: the descriptor an open system call returned. */
struct sys_exit {
	u64 common;
	int nr;
	int pad;
	long ret;
};

static __always_inline int opened(struct sys_exit *ctx)
{
	if (ctx->ret < 0)
		return 0;
	return report(file_of(ctx->ret));
}

SEC("tracepoint/syscalls/sys_exit_open")
int on_exit_open(struct sys_exit *ctx) { return opened(ctx); }

SEC("tracepoint/syscalls/sys_exit_openat")
int on_exit_openat(struct sys_exit *ctx) { return opened(ctx); }

SEC("tracepoint/syscalls/sys_exit_openat2")
int on_exit_openat2(struct sys_exit *ctx) { return opened(ctx); }

char LICENSE[] SEC("license") = "Dual BSD/GPL";
