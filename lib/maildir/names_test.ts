import assert from "node:assert/strict";
import {
  checkFolderName,
  checkUserName,
  folderDirName,
  folderFromDirName,
  MailboxNameError,
} from "./names.ts";

/** Names that must never become paths. */
export const UNSAFE_FOLDER_NAMES = [
  "",
  ".",
  "..",
  "../etc",
  "a/../b",
  "a/..",
  "/abs",
  "trailing/",
  "a//b",
  ".hidden",
  "a/.hidden",
  "back\\slash",
  "nul\0byte",
  "line\nfeed",
  "tab\there",
  "del\x7f",
  "dot.inside",
  "x".repeat(255),
  "é".repeat(128),
  "INBOX/Sub",
];

Deno.test("checkFolderName() accepts ordinary names and canonicalises INBOX", () => {
  assert.equal(checkFolderName("inbox"), "INBOX");
  assert.equal(checkFolderName("InBoX"), "INBOX");
  assert.equal(checkFolderName("Sent"), "Sent");
  assert.equal(checkFolderName("Archive/2024"), "Archive/2024");
  assert.equal(checkFolderName("学习笔记"), "学习笔记");
  assert.equal(checkFolderName("x".repeat(254)), "x".repeat(254));
});

Deno.test("checkFolderName() refuses every path trick with MailboxNameError", async (t) => {
  for (const name of UNSAFE_FOLDER_NAMES) {
    await t.step(JSON.stringify(name).slice(0, 40), () => {
      assert.throws(() => checkFolderName(name), MailboxNameError);
    });
  }
});

Deno.test("MailboxNameError names the name and the reason", () => {
  assert.throws(() => checkFolderName("a/../b"), {
    name: "MailboxNameError",
    message: 'Cannot use mailbox name "a/../b": a level of the hierarchy is ".."',
  });
  assert.throws(() => checkFolderName("v1.2"), /Maildir\+\+ hierarchy separator/);
});

Deno.test("folderDirName() and folderFromDirName() map hierarchy to Maildir++", () => {
  assert.equal(folderDirName("INBOX"), "");
  assert.equal(folderDirName("Sent"), ".Sent");
  assert.equal(folderDirName("Archive/2024/May"), ".Archive.2024.May");
  assert.equal(folderFromDirName(".Archive.2024.May"), "Archive/2024/May");
  assert.equal(folderFromDirName(".Sent"), "Sent");
  for (const dir of ["cur", "new", "tmp", ".", "..", ".a..b", ".INBOX", ".a.", "..x"]) {
    assert.equal(folderFromDirName(dir), null, dir);
  }
});

Deno.test("checkUserName() allows dots inside but refuses path tricks", async (t) => {
  assert.equal(checkUserName("john.doe"), "john.doe");
  assert.equal(checkUserName("alice@example.org"), "alice@example.org");
  for (
    const name of ["", ".", "..", ".alice", "a/b", "../x", "a\\b", "a\0", "a\r", "x".repeat(256)]
  ) {
    await t.step(JSON.stringify(name).slice(0, 40), () => {
      assert.throws(() => checkUserName(name), MailboxNameError);
    });
  }
});
