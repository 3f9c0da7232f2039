// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Every exec, seen from the kernel as it happens: process and parent ids, user, login
 * user, the program's real path, the working folder and the arguments, read before the
 * process can exit. Sent to the agent through a ring buffer; what does not fit is
 * counted in `drops`, never lost silently.
 *
 * Chaque exec, vu du noyau au moment où il a lieu : identifiants, utilisateur, chemin
 * réel du programme, dossier courant et arguments, lus avant que le processus ne puisse
 * se terminer. Ce qui ne tient pas dans l'anneau est compté dans `drops`.
 *
 * The record layout is read by agent/src/sensors/process/ebpf.rs: keep them in step.
 */
#include "kernel_types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "path.h"
#include "pack.h"

#define FILENAME_BUF 256
#define ARGS_BUF 4096

#define TRUNCATED_ARGS 1
#define TRUNCATED_EXE 2
#define TRUNCATED_CWD 4

struct exec_record {
	u32 pid;
	u32 ppid;
	u32 uid;
	u32 gid;
	u32 login_uid;
	u32 flags;
	u16 filename_len;
	u16 exe_len;
	u16 cwd_len;
	u16 args_len;
	char filename[FILENAME_BUF];
	char exe[PATH_BUF];
	char cwd[PATH_BUF];
	char args[ARGS_BUF];
	/* Not sent: where read_path writes next. */
	u32 walk_off;
};

/* Room for about 1,500 execs waiting to be read (records packed to what they hold, a
 * couple of hundred bytes; about 35 if every field were as long as it may be): the
 * agent maps the ring twice (for wrap-around), so each byte here counts twice in its
 * memory. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 << 10);
} events SEC(".maps");

/* Room to pack a record before it goes into the ring (see pack.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct packed);
} packed_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct exec_record);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} drops SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int on_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	u32 zero = 0;
	struct exec_record *r = bpf_map_lookup_elem(&scratch, &zero);

	if (!r)
		return 0;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	u64 uid_gid = bpf_get_current_uid_gid();

	r->pid = BPF_CORE_READ(task, tgid);
	r->ppid = BPF_CORE_READ(task, real_parent, tgid);
	r->uid = (u32)uid_gid;
	r->gid = (u32)(uid_gid >> 32);
	r->login_uid = (u32)-1;
	if (bpf_core_field_exists(task->loginuid))
		r->login_uid = BPF_CORE_READ(task, loginuid.val);
	r->flags = 0;

	/* The name the program was called by, as the tracepoint holds it. */
	u32 loc = BPF_CORE_READ(ctx, __data_loc_filename) & 0xFFFF;
	long n = bpf_probe_read_kernel_str(r->filename, FILENAME_BUF, (void *)ctx + loc);
	r->filename_len = n > 0 ? n : 0;

	/* The program's real path (symbolic links resolved, the interpreter of a script). */
	r->exe_len = read_exe(&r->walk_off, &r->flags, r->exe, task, TRUNCATED_EXE);

	struct fs_struct *fs = BPF_CORE_READ(task, fs);
	r->cwd_len = 0;
	if (fs)
		r->cwd_len = read_path(&r->walk_off, &r->flags, r->cwd, BPF_CORE_READ(fs, pwd.dentry),
				       BPF_CORE_READ(fs, pwd.mnt), TRUNCATED_CWD);

	/* The arguments, NUL-separated, straight from the new program's memory. */
	unsigned long start = BPF_CORE_READ(task, mm, arg_start);
	unsigned long end = BPF_CORE_READ(task, mm, arg_end);
	u64 len = end > start ? end - start : 0;
	if (len >= ARGS_BUF) {
		len = ARGS_BUF - 1;
		r->flags |= TRUNCATED_ARGS;
	}
	len &= ARGS_BUF - 1;
	r->args_len = 0;
	if (len > 0 && bpf_probe_read_user(r->args, len, (void *)start) == 0)
		r->args_len = len;

	/* Only what was filled goes into the ring: the header, then each field's bytes. */
	struct packed *p = bpf_map_lookup_elem(&packed_scratch, &zero);

	if (!p)
		return 0;
	u32 off = offsetof(struct exec_record, filename);

	bpf_probe_read_kernel(p->buf, off, r);
	off = append(p->buf, off, r->filename, r->filename_len, FILENAME_BUF);
	off = append(p->buf, off, r->exe, r->exe_len, PATH_BUF);
	off = append(p->buf, off, r->cwd, r->cwd_len, PATH_BUF);
	off = append(p->buf, off, r->args, r->args_len, ARGS_BUF);
	send_packed(&events, &drops, p->buf, off);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
