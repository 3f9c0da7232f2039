/* What Vigie's eBPF programs read of the current process besides paths. */
#ifndef VIGIE_TASK_H
#define VIGIE_TASK_H

/* Set by the agent after loading: its own process id, whose calls are left out. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u32);
} agent_pid SEC(".maps");

/* Whether the current process is the agent itself. */
static __always_inline int is_agent(void)
{
	u32 zero = 0;
	u32 *own = bpf_map_lookup_elem(&agent_pid, &zero);

	return own && *own == (u32)(bpf_get_current_pid_tgid() >> 32);
}

/* The file behind descriptor `fd` of the current process. */
static __always_inline struct file *file_of(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;

	if (fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return file;
}

/* How much of a process's arguments is read (a power of two). */
#define ARGS_READ 1024

/* Copies `task`'s arguments, NUL-separated and cut at ARGS_READ - 1, into `args`; the
 * bytes copied. Read here because a process that lives a millisecond is gone from /proc
 * by the time the agent looks. */
static __always_inline u16 read_args(struct task_struct *task, char *args)
{
	unsigned long start = BPF_CORE_READ(task, mm, arg_start);
	unsigned long end = BPF_CORE_READ(task, mm, arg_end);
	u64 len = end > start ? end - start : 0;

	if (len >= ARGS_READ)
		len = ARGS_READ - 1;
	len &= ARGS_READ - 1;
	if (len > 0 && bpf_probe_read_user(args, len, (void *)start) == 0)
		return len;
	return 0;
}

#endif
