/* The path of a dentry, read in the kernel for Vigie's eBPF programs.
 *
 * Components are written leaf first, each ending in NUL (`sh\0bin\0usr\0` is
 * /usr/bin/sh); the agent reverses them. NAME_READ of slack after PATH_MAX_READ keeps
 * every write in bounds. */
#ifndef VIGIE_PATH_H
#define VIGIE_PATH_H

#define PATH_MAX_READ 1024
#define NAME_READ 256
#define PATH_BUF (PATH_MAX_READ + NAME_READ)
#define PATH_DEPTH 48

/* Writes the path of `dentry` in `vfsmnt` into `buf`, leaf first, crossing mount points
 * up to the root, and returns the bytes written; sets `flag` in `flags` when the path
 * did not fit. The write offset lives in map memory (`walk_off`), not in a register: the verifier
 * then sees every iteration alike and checks the loop once per step instead of once per
 * path through it. */
static __always_inline u32 read_path(u32 *walk_off, u32 *flags, char *buf,
				     struct dentry *dentry, struct vfsmount *vfsmnt, u32 flag)
{
	struct mount *mnt = (void *)vfsmnt - bpf_core_field_offset(struct mount, mnt);

	*walk_off = 0;
	for (int i = 0; i < PATH_DEPTH; i++) {
		struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
		struct dentry *root = BPF_CORE_READ(vfsmnt, mnt_root);

		if (dentry == root || dentry == parent) {
			struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

			if (up == mnt || !up)
				goto done;
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = up;
			vfsmnt = __builtin_preserve_access_index(&up->mnt);
			continue;
		}
		u32 off = *walk_off;

		if (off > PATH_MAX_READ) {
			*flags |= flag;
			goto done;
		}
		const unsigned char *name = BPF_CORE_READ(dentry, d_name.name);
		long n = bpf_probe_read_kernel_str(&buf[off], NAME_READ, name);

		if (n <= 0)
			goto done;
		*walk_off = off + n;
		dentry = parent;
	}
	*flags |= flag;
done:
	/* The root itself is one empty component. */
	if (*walk_off == 0) {
		buf[0] = 0;
		return 1;
	}
	return *walk_off;
}

/* Writes the real path of `task`'s program like read_path (symbolic links resolved, the
 * interpreter of a script); 0 bytes when it has none (a kernel thread). */
static __always_inline u32 read_exe(u32 *walk_off, u32 *flags, char *buf,
				    struct task_struct *task, u32 flag)
{
	struct file *exe = BPF_CORE_READ(task, mm, exe_file);

	if (!exe)
		return 0;
	return read_path(walk_off, flags, buf, BPF_CORE_READ(exe, f_path.dentry),
			 BPF_CORE_READ(exe, f_path.mnt), flag);
}

#endif
