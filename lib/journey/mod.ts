/**
 * Chapter 6: one message's whole journey, recorded hop by hop.
 *
 * @module
 */
export * from "./recorder.ts";
export * from "./wiretap.ts";
export * from "./pieces.ts";
export * from "./relay.ts";
export * from "./retrieve.ts";
export * from "./journey.ts";
export * from "./trace.ts";
export * from "./views.ts";
export * from "./sample.ts";
