/**
 * Named runs of the simulator: every way a connection opens and closes that the
 * chapter discusses, each a short script of user calls and deliveries.
 *
 * @module
 */

import { type SimulatorOptions, TcpSimulator } from "./simulator.ts";

/** Passive open at the server, active open at the client, all segments delivered. */
export function handshake(sim: TcpSimulator): TcpSimulator {
  sim.call("server", "passive-open");
  sim.call("client", "active-open");
  sim.deliverAll();
  return sim;
}

/** A request and an answer: the client sends `request` bytes, the server `reply` bytes. */
export function exchange(sim: TcpSimulator, request = 12, reply = 20): TcpSimulator {
  sim.call("client", { send: request });
  sim.deliverAll();
  sim.call("server", { send: reply });
  sim.deliverAll();
  return sim;
}

/** Each scenario: what it shows, and the script. */
export const SCENARIOS = {
  "four-segment-close": {
    title: "Client closes first: FIN, ACK, FIN, ACK (RFC 9293 Figure 12)",
    run(sim: TcpSimulator) {
      exchange(handshake(sim));
      sim.call("client", "close");
      sim.deliverAll(); // server ACKs the FIN: CLOSE-WAIT; client FIN-WAIT-2
      sim.call("server", "close");
      sim.deliverAll();
      sim.call("client", "timeout-2msl");
    },
  },
  "three-segment-close": {
    title: "Client closes first, the server's FIN rides with its ACK: FIN, FIN+ACK, ACK",
    run(sim: TcpSimulator) {
      exchange(handshake(sim));
      sim.call("client", "close");
      sim.deliver(); // the FIN reaches the server, whose ACK waits (delayed ACK)...
      sim.call("server", "close", { piggyback: true }); // ...and leaves with its FIN
      sim.deliverAll();
      sim.call("client", "timeout-2msl");
    },
  },
  "server-closes-first": {
    title: "The server closes first: the server waits in TIME-WAIT",
    run(sim: TcpSimulator) {
      exchange(handshake(sim));
      sim.call("server", "close");
      sim.deliverAll();
      sim.call("client", "close");
      sim.deliverAll();
      sim.call("server", "timeout-2msl");
    },
  },
  "half-close": {
    title: "Half-close: the client sends FIN, the server keeps sending, then closes",
    run(sim: TcpSimulator) {
      handshake(sim);
      sim.call("client", { send: 12 });
      sim.call("client", "close");
      sim.deliverAll();
      sim.call("server", { send: 100 });
      sim.call("server", { send: 50 });
      sim.deliverAll();
      sim.call("server", "close");
      sim.deliverAll();
      sim.call("client", "timeout-2msl");
    },
  },
  "simultaneous-open": {
    title: "Both sides send SYN at once (RFC 9293 Figure 7)",
    run(sim: TcpSimulator) {
      sim.call("client", "active-open");
      sim.call("server", "active-open");
      sim.deliverAll();
    },
  },
  "simultaneous-close": {
    title: "Both sides send FIN at once: CLOSING, and both wait in TIME-WAIT (RFC 9293 Figure 13)",
    run(sim: TcpSimulator) {
      handshake(sim);
      sim.call("client", "close");
      sim.call("server", "close");
      sim.deliverAll();
      sim.call("client", "timeout-2msl");
      sim.call("server", "timeout-2msl");
    },
  },
  "client-reset": {
    title: "The client aborts: one RST, no teardown",
    run(sim: TcpSimulator) {
      exchange(handshake(sim));
      sim.call("client", "abort");
      sim.deliverAll();
    },
  },
  "server-reset": {
    title: "The server aborts while the client is still sending",
    run(sim: TcpSimulator) {
      handshake(sim);
      sim.call("client", { send: 30 });
      sim.deliverAll();
      sim.call("server", "abort");
      sim.deliverAll();
    },
  },
  "lost-final-ack": {
    title: "The last ACK is lost: the server sends its FIN again, TIME-WAIT answers",
    run(sim: TcpSimulator) {
      exchange(handshake(sim));
      sim.call("client", "close");
      sim.deliverAll();
      sim.call("server", "close");
      sim.deliver(); // the FIN reaches the client: TIME-WAIT, ACK in flight...
      sim.drop(); // ...and lost
      sim.call("server", "timeout-rto"); // LAST-ACK: FIN again
      sim.deliverAll(); // TIME-WAIT acks it again; the server closes
      sim.call("client", "timeout-2msl");
    },
  },
} as const;

/** A scenario's name. */
export type ScenarioName = keyof typeof SCENARIOS;

/**
 * Run a named scenario on a fresh simulator.
 *
 * @example
 * ```ts
 * import { runScenario } from "./scenarios.ts";
 * const sim = runScenario("simultaneous-close", { clientIsn: 1, serverIsn: 2 });
 * if (!sim.path("client").includes("CLOSING")) throw new Error(sim.path("client").join());
 * ```
 */
export function runScenario(name: ScenarioName, options: SimulatorOptions = {}): TcpSimulator {
  const scenario = SCENARIOS[name];
  if (!scenario) {
    throw new Error(
      `Unknown scenario ${JSON.stringify(name)}: try ${Object.keys(SCENARIOS).join(", ")}`,
    );
  }
  const sim = new TcpSimulator(options);
  scenario.run(sim);
  return sim;
}
