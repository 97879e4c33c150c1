/**
 * The filing thread of `FilerThread` (filing.ts): files each group it is sent
 * and answers with the group's id, and the error it met, if any. It runs at the lowest
 * priority (thread_priority.ts): the messages it files are already safe in the journal.
 *
 * @module
 */
/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
import { fileGroup, type FilingJob, type FilingReply } from "./filing.ts";
import { lowerThreadPriority } from "./thread_priority.ts";

lowerThreadPriority();

self.onmessage = async ({ data }: MessageEvent<FilingJob>) => {
  let reply: FilingReply = { id: data.id };
  try {
    await fileGroup(data.root, data.messages);
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    reply = { id: data.id, error: { name, message } };
  }
  self.postMessage(reply);
};
