/**
 * TCP's handshake and teardown: the RFC 9293 state machine as a table and a pure model,
 * a two-endpoint simulator, a replay of captured connections, and experiments on real
 * loopback sockets (half-close, reset, connect latency, TIME-WAIT, loss and retransmission).
 *
 * @module
 */
export * from "./state.ts";
export * from "./seq.ts";
export * from "./segment.ts";
export * from "./transitions.ts";
export * from "./classify.ts";
export * from "./endpoint.ts";
export * from "./simulator.ts";
export * from "./scenarios.ts";
export * from "./diagrams.ts";
export * from "./replay.ts";
export * from "./socket_table.ts";
export * from "./read_all.ts";
export * from "./half_close.ts";
export * from "./reset.ts";
export * from "./connect_latency.ts";
export * from "./time_wait.ts";
export * from "./loopback_drop.ts";
export * from "./loss.ts";
