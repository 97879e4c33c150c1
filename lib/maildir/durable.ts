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
