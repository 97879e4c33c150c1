/**
 * One clock for a whole journey: every connection's transcript and every event (a file
 * landing in a Maildir, IDLE waking) is timed from the same origin, so that they can be
 * laid on one timeline and one sequence diagram.
 *
 * @module
 */

import { Transcript } from "../transcript/transcript.ts";

/** One TCP connection of the journey, recorded on the wire between its two ends. */
export interface RecordedConnection {
  /** Short name of the hop: "submission", "MX relay", "POP3". */
  label: string;
  /** The protocol spoken: "SMTP", "POP3" or "IMAP". */
  protocol: "SMTP" | "POP3" | "IMAP";
  /** Who connected. */
  client: string;
  /** Who was connected to. */
  server: string;
  /** The bytes both ways, timed from the journey's origin. */
  transcript: Transcript;
}

/** Something that happened off the wire, at a time on the journey's clock. */
export interface JourneyEvent {
  /** Where it happened: one of the participants. */
  at: string;
  /** Milliseconds since the journey's origin. */
  time: number;
  /** What happened, in a few words. */
  what: string;
}

/**
 * The journey's log book.
 *
 * @example
 * ```ts
 * import { JourneyRecorder } from "./recorder.ts";
 * const log = new JourneyRecorder();
 * const t = log.connection("submission", "SMTP", "mua", "smtp.a.test");
 * t.record("smtp.a.test", "mua", new TextEncoder().encode("220 hi\r\n"));
 * log.event("smtp.a.test", "greeted");
 * if (log.connections.length !== 1 || log.events[0].time < 0) throw new Error();
 * ```
 */
export class JourneyRecorder {
  /** `performance.now()` when the journey began. */
  readonly origin: number;
  /** The wall-clock time at the origin (ms since the epoch), to compare with Date: headers. */
  readonly wallClockAtOrigin: number;
  readonly connections: RecordedConnection[] = [];
  readonly events: JourneyEvent[] = [];

  constructor() {
    this.origin = performance.now();
    this.wallClockAtOrigin = Date.now();
  }

  /** Start recording a new connection; returns its transcript. */
  connection(
    label: string,
    protocol: RecordedConnection["protocol"],
    client: string,
    server: string,
  ): Transcript {
    const transcript = new Transcript({ origin: this.origin });
    this.connections.push({ label, protocol, client, server, transcript });
    return transcript;
  }

  /** Note an event now. */
  event(at: string, what: string): JourneyEvent {
    const event = { at, time: this.now(), what };
    this.events.push(event);
    return event;
  }

  /** Milliseconds since the origin. */
  now(): number {
    return performance.now() - this.origin;
  }

  /** A journey time as wall-clock time. */
  wallClock(time: number): Date {
    return new Date(this.wallClockAtOrigin + time);
  }
}
