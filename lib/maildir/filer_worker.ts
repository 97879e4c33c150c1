/**
 * The filing thread of `FilerThread` (filing.ts): files each group it is sent
 * and answers with the group's id, and the error it met, if any.
 *
 * @module
 */
/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
import { fileGroup, type FilingJob, type FilingReply } from "./filing.ts";

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
