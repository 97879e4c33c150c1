/**
 * Durable file steps for Maildir delivery.
 *
 * A mail server may only say "250 OK" once the message would survive a power cut. Data
 * written to a file sits in the page cache until `fdatasync`/`fsync`; a new directory
 * entry (the link into new/) is only on disk once the directory itself is fsynced.
 *
 * @module
 */

/**
 * Create `path` (it must not exist), write `bytes`, optionally set its mtime, and flush
 * it to disk before returning. Returns the file's stat.
 *
 * Without a date `syncData` (fdatasync) is enough: it flushes the data and the size,
 * skipping only timestamps. With a date the mtime is the message's IMAP internal date,
 * real data, so the whole inode is flushed with `sync` (fsync).
 */
export async function writeFileDurably(
  path: string,
  bytes: Uint8Array,
  mtime?: Date,
): Promise<Deno.FileInfo> {
  using file = await Deno.open(path, { write: true, createNew: true, mode: 0o600 });
  let written = 0;
  while (written < bytes.length) written += await file.write(bytes.subarray(written));
  if (mtime) {
    await file.utime(mtime, mtime);
    await file.sync();
  } else {
    await file.syncData();
  }
  // fstat(2) of the open file: its size and mtime for the caller, without another lookup.
  return file.statSync();
}

/** fsync a directory, so that entries just created, renamed or removed in it are durable. */
export async function syncDirectory(path: string): Promise<void> {
  using dir = await Deno.open(path, { read: true });
  await dir.sync();
}

/** The libc calls {@linkcode writeFilesDurably} needs. */
const LIBC_SYMBOLS = {
  open: { parameters: ["buffer", "i32"], result: "i32" },
  syncfs: { parameters: ["i32"], result: "i32", nonblocking: true },
  close: { parameters: ["i32"], result: "i32" },
} as const;

/** open(2) flags: read only, not inherited by programs we start (Linux's values). */
const O_RDONLY_CLOEXEC = 0o2000000;

let libc: Deno.DynamicLibrary<typeof LIBC_SYMBOLS> | null | undefined;

/** libc with syncfs(2), loaded on first use; null where there is none (not Linux, or no FFI permission). */
function syncfsLibrary(): Deno.DynamicLibrary<typeof LIBC_SYMBOLS> | null {
  if (libc !== undefined) return libc;
  try {
    libc = Deno.build.os === "linux" ? Deno.dlopen("libc.so.6", LIBC_SYMBOLS) : null;
  } catch {
    libc = null;
  }
  return libc;
}

/**
 * Create the files `names` in `dir` with their bytes (a leftover of the same name is
 * replaced) and make all of them durable, data and names, before returning.
 *
 * One fdatasync per file costs the kernel a writeback, a write of the inode and a flush of
 * the disk's cache per file. Where Linux's `syncfs(2)` is at hand, the files are written
 * into the page cache one after another and the whole filesystem is synced once: one
 * writeback for the group. `syncfs` flushes the disk's cache before its own last writes
 * (ext4 without a journal writes the inode tables after it), so a sync of `dir`, which
 * ends with a flush, follows it. Elsewhere each file is fdatasynced, one after another.
 */
export async function writeFilesDurably(
  dir: string,
  files: readonly { name: string; bytes: Uint8Array }[],
): Promise<void> {
  const library = syncfsLibrary();
  if (!library) {
    for (const { name, bytes } of files) {
      using file = await Deno.open(`${dir}/${name}`, {
        write: true,
        create: true,
        truncate: true,
        mode: 0o600,
      });
      for (let written = 0; written < bytes.length;) {
        written += file.writeSync(bytes.subarray(written));
      }
      await file.syncData();
    }
    await syncDirectory(dir);
    return;
  }
  // Opened before writing: syncfs reports the writeback errors seen since its descriptor
  // was opened, so one that hit these files' pages early is not missed.
  const fd = library.symbols.open(new TextEncoder().encode(`${dir}\0`), O_RDONLY_CLOEXEC);
  if (fd < 0) throw new Deno.errors.NotFound(`Cannot open ${dir} to sync its filesystem`);
  try {
    for (const { name, bytes } of files) {
      Deno.writeFileSync(`${dir}/${name}`, bytes, { mode: 0o600 });
    }
    if (await library.symbols.syncfs(fd) !== 0) {
      throw new Error(`Cannot sync the filesystem holding ${dir}: syncfs(2) failed`);
    }
  } finally {
    library.symbols.close(fd);
  }
  await syncDirectory(dir);
}
