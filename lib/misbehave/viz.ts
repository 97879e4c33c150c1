/**
 * The scenario table as a notebook shows it.
 *
 * @module
 */

import { type Displayable, table } from "../viz/display.ts";
import { type Protocol, scenariosFor } from "./scenarios.ts";

/**
 * One row per scenario a protocol's server plays: what it does, what a correct client
 * must do, where the RFC says so, and how such a client ends.
 *
 * @example
 * ```ts
 * import { scenarioTable } from "./viz.ts";
 * import { JUPYTER_DISPLAY } from "../viz/display.ts";
 * const bundle = scenarioTable("smtp")[JUPYTER_DISPLAY]();
 * if (!String(bundle["text/plain"]).includes("stall-mid-reply")) throw new Error();
 * ```
 */
export function scenarioTable(protocol: Protocol): Displayable {
  return table(
    ["scenario", `the ${protocol.toUpperCase()} server`, "a correct client must", "RFC", "ends"],
    scenariosFor(protocol).map((s) => [s.name, s.does[protocol]!, s.clientMust, s.rfc, s.outcome]),
  );
}
