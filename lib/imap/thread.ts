/**
 * THREAD (RFC 5256): the server groups the messages a search finds into conversations,
 * by subject (ORDEREDSUBJECT) or by the Message-ID, References and In-Reply-To headers
 * (REFERENCES, the algorithm Jamie Zawinski wrote for Netscape).
 *
 * @module
 */

import { baseSubject, compareText } from "./base_subject.ts";
import { decodeWords } from "../mail/mod.ts";
import { sentDate, type SortMessage } from "./sort.ts";

/** The algorithms we implement (RFC 5256 3). */
export const THREAD_ALGORITHMS = ["ORDEREDSUBJECT", "REFERENCES"] as const;
/** One of {@linkcode THREAD_ALGORITHMS}. */
export type ThreadAlgorithm = typeof THREAD_ALGORITHMS[number];

/** What threading looks at: a sort message plus the number to answer with. */
export interface ThreadMessage extends SortMessage {
  /** The number to answer with: the sequence number, or the UID for UID THREAD. */
  id: number;
}

/** A node of a thread tree: a message, or a dummy holding children (RFC 5256 3). */
interface Node {
  message: ThreadMessage | null;
  children: Node[];
  parent: Node | null;
}

function header(msg: SortMessage, name: string): string | null {
  const lower = name.toLowerCase();
  return msg.header.find((h) => h.name.toLowerCase() === lower)?.value ?? null;
}

function subjectOf(msg: SortMessage): string {
  return header(msg, "Subject") ?? "";
}

/**
 * Whether the subject marks a reply or forward: base-subject extraction removed a
 * "Re:"/"Fwd:" leader, a "(fwd)" trailer or a "[fwd: ...]" wrapper (RFC 5256 2.1).
 */
function isReply(msg: SortMessage): boolean {
  const text = decodeWords(subjectOf(msg)).replace(/\s+/g, " ").trim();
  return /(?:^|[\]:\s])(?:re|fwd?)\s*(?:\[[^[\]]*\]\s*)?:/i.test(text) ||
    /\(fwd\)\s*$/i.test(text) || /^\[fwd:/i.test(text.replace(/^(?:\[[^[\]]*\]\s*)+/, ""));
}

/** The msg-ids ("<...>") in a header value, spaces removed. */
function messageIds(value: string | null): string[] {
  if (!value) return [];
  const ids = value.replace(/\([^)]*\)/g, " ").match(/<[^<>]+>/g) ?? [];
  return ids.map((id) => id.replace(/\s+/g, "")).filter((id) => id.length > 2);
}

/** Earliest sent date in a subtree's top: the node's message, or a dummy's first child. */
function dateOf(node: Node): number {
  if (node.message) return sentDate(node.message);
  return node.children.length ? dateOf(node.children[0]) : 0;
}

function seqOf(node: Node): number {
  if (node.message) return node.message.seq;
  return node.children.length ? seqOf(node.children[0]) : 0;
}

/** Order siblings by sent date, then by position in the mailbox (RFC 5256 3 step 6). */
function sortSiblings(nodes: Node[]): void {
  for (const node of nodes) sortSiblings(node.children);
  nodes.sort((a, b) => dateOf(a) - dateOf(b) || seqOf(a) - seqOf(b));
}

/** Whether `ancestor` is `node` or above it. */
function isAncestor(ancestor: Node, node: Node): boolean {
  for (let at: Node | null = node; at; at = at.parent) if (at === ancestor) return true;
  return false;
}

function link(parent: Node, child: Node): void {
  if (child.parent) child.parent.children = child.parent.children.filter((c) => c !== child);
  child.parent = parent;
  parent.children.push(child);
}

function unlink(child: Node): void {
  if (child.parent) child.parent.children = child.parent.children.filter((c) => c !== child);
  child.parent = null;
}

/** ORDEREDSUBJECT (RFC 5256 3): one thread per base subject, every later message a child of the first. */
function orderedSubject(messages: readonly ThreadMessage[]): Node[] {
  const sorted = [...messages].sort((a, b) =>
    compareText(baseSubject(subjectOf(a)), baseSubject(subjectOf(b))) ||
    sentDate(a) - sentDate(b) || a.seq - b.seq
  );
  const roots: Node[] = [];
  let current: Node | null = null;
  let subject = "";
  for (const message of sorted) {
    const base = baseSubject(subjectOf(message));
    const node: Node = { message, children: [], parent: null };
    if (current && compareText(base, subject) === 0) {
      link(current, node);
    } else {
      roots.push(node);
      current = node;
      subject = base;
    }
  }
  roots.sort((a, b) => dateOf(a) - dateOf(b) || seqOf(a) - seqOf(b));
  return roots;
}

/** REFERENCES (RFC 5256 3, steps 1 to 6). */
function references(messages: readonly ThreadMessage[]): Node[] {
  // (1) One container per Message-ID, linked along each message's References.
  const table = new Map<string, Node>();
  const container = (id: string): Node => {
    let node = table.get(id);
    if (!node) table.set(id, node = { message: null, children: [], parent: null });
    return node;
  };
  let unique = 0;
  for (const message of messages) {
    let id = messageIds(header(message, "Message-ID"))[0];
    // A missing or duplicate Message-ID gets a unique one of its own.
    if (!id || table.get(id)?.message) id = `\0${unique++}`;
    const node = container(id);
    node.message = message;
    let refs = messageIds(header(message, "References"));
    if (!refs.length) refs = messageIds(header(message, "In-Reply-To")).slice(0, 1);
    // (1B) link each reference to the next, unless one already has a parent or a loop would form.
    let previous: Node | null = null;
    for (const ref of refs) {
      const next = container(ref);
      if (previous && !next.parent && !isAncestor(next, previous)) link(previous, next);
      previous = next;
    }
    // (1C) the last reference is this message's parent: an earlier guess (made from
    // another message's References) is dropped first, and no link is made that would
    // close a loop.
    unlink(node);
    if (previous && !isAncestor(node, previous)) link(previous, node);
  }
  // (2) the root set.
  let roots = [...table.values()].filter((n) => !n.parent);
  // (4) prune dummies.
  roots = prune(roots, true);
  for (const root of roots) root.parent = null;
  // (5) gather roots by base subject.
  const bySubject = new Map<string, Node>();
  const subjectKey = (node: Node): string => {
    const message = node.message ?? node.children[0]?.message;
    return message ? baseSubject(subjectOf(message)).toUpperCase().normalize("NFKD") : "";
  };
  const reply = (node: Node) => (node.message ? isReply(node.message) : false);
  for (const root of roots) {
    const key = subjectKey(root);
    if (!key) continue;
    const known = bySubject.get(key);
    if (!known || (!root.message && known.message) || (reply(known) && !reply(root))) {
      bySubject.set(key, root);
    }
  }
  const merged: Node[] = [];
  for (const root of roots) {
    const key = subjectKey(root);
    const target = key ? bySubject.get(key) : undefined;
    if (!target || target === root) {
      merged.push(root);
      continue;
    }
    if (!target.message && !root.message) {
      for (const child of [...root.children]) link(target, child);
    } else if (!target.message && root.message) {
      link(target, root);
    } else if (target.message && reply(root) && !reply(target)) {
      link(target, root);
    } else {
      // Neither is the other's reply: a new dummy holds both, in the target's place.
      const dummy: Node = { message: null, children: [], parent: null };
      const at = merged.indexOf(target);
      link(dummy, target);
      link(dummy, root);
      bySubject.set(key, dummy);
      if (at >= 0) merged[at] = dummy;
    }
  }
  // (6) sort.
  sortSiblings(merged);
  return merged;
}

/**
 * Step 4: drop empty dummies; replace a dummy by its children, except at the root when it
 * has more than one child.
 */
function prune(nodes: Node[], atRoot: boolean): Node[] {
  const out: Node[] = [];
  for (const node of nodes) {
    node.children = prune(node.children, false);
    for (const child of node.children) child.parent = node;
    if (node.message) {
      out.push(node);
    } else if (node.children.length === 0) {
      continue;
    } else if (!atRoot || node.children.length === 1) {
      out.push(...node.children);
    } else {
      out.push(node);
    }
  }
  return out;
}

/** A node's members: `1 2 3` for a chain, then `(4)(5 6)` where it branches. */
function members(node: Node): string {
  const parts: string[] = [];
  let at: Node = node;
  while (true) {
    if (at.message) parts.push(String(at.message.id));
    if (at.children.length !== 1) break;
    at = at.children[0];
  }
  if (at.children.length > 1) parts.push(at.children.map((c) => `(${members(c)})`).join(""));
  return parts.join(" ");
}

/**
 * Thread the messages and format the THREAD response's data (RFC 5256 4): `(1)(2 3 (4)(5))`.
 *
 * @example
 * ```ts
 * import { threadMessages } from "./thread.ts";
 * const msg = (id: number, headers: [string, string][]) => ({
 *   id, seq: id, size: 0, internalDate: new Date(0),
 *   header: headers.map(([name, value]) => ({ name, value })),
 * });
 * const out = threadMessages([
 *   msg(1, [["Message-ID", "<a@x>"], ["Subject", "hi"]]),
 *   msg(2, [["Message-ID", "<b@x>"], ["References", "<a@x>"], ["Subject", "Re: hi"]]),
 * ], "REFERENCES");
 * if (out !== "(1 2)") throw new Error(out);
 * ```
 */
export function threadMessages(
  messages: readonly ThreadMessage[],
  algorithm: ThreadAlgorithm,
): string {
  const roots = algorithm === "REFERENCES" ? references(messages) : orderedSubject(messages);
  return roots.map((root) => `(${members(root)})`).join("");
}
