/**
 * `deno task lab`: run the course's mail servers on 127.0.0.1 until Ctrl-C.
 *
 * Prints what listens where, then waits for SIGINT or SIGTERM and closes every server
 * (and every open connection) before exiting.
 *
 * @module
 */

import { LAB_SERVICES, labUsage, parseLabArgs, startLab } from "../lib/lab/mod.ts";

async function main(): Promise<number> {
  let args;
  try {
    args = parseLabArgs(Deno.args, LAB_SERVICES);
  } catch (error) {
    console.error((error as Error).message);
    console.error(labUsage(LAB_SERVICES));
    return 2;
  }
  if (args.help) {
    console.log(labUsage(LAB_SERVICES));
    return 0;
  }
  let lab;
  try {
    lab = await startLab({
      folder: args.folder,
      users: args.users,
      ports: args.ports,
      domains: args.domains,
    });
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
  const stop = Promise.withResolvers<string>();
  const signals = ["SIGINT", "SIGTERM"] as const;
  const handlers = signals.map((signal) => {
    const handler = () => stop.resolve(signal);
    Deno.addSignalListener(signal, handler);
    return [signal, handler] as const;
  });
  console.log(lab.describe());
  console.log("Lab ready. Press Ctrl-C to stop.");
  const signal = await stop.promise;
  for (const [s, handler] of handlers) Deno.removeSignalListener(s, handler);
  await lab.close();
  console.log(`Stopped on ${signal}.`);
  return 0;
}

Deno.exit(await main());
