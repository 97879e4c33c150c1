/**
 * Kernel → Interrupt for the course's own waits.
 *
 * In the course's Jupyter kernel (tools/kernel/course_kernel.py), an interrupt first sends the
 * Deno process the signal named by `COURSE_KERNEL_INTERRUPT_SIGNAL`. Every wait that goes
 * through `withTimeout` then ends at once with an {@linkcode InterruptedError}: the cell fails
 * like any failing cell and the notebook keeps its state, where otherwise the kernel would
 * have to be restarted. Outside that kernel the variable is not set and nothing listens.
 *
 * @module
 */

/** Thrown by a wait that Kernel → Interrupt ended. */
export class InterruptedError extends Error {
  constructor() {
    super("Interrupted: Kernel → Interrupt stopped this wait");
    this.name = "InterruptedError";
  }
}

let current = new AbortController();

function listen(): void {
  let name: string | undefined;
  try {
    name = Deno.env.get("COURSE_KERNEL_INTERRUPT_SIGNAL");
  } catch {
    return; // no permission to read the environment: not in the course's kernel
  }
  if (!name) return;
  try {
    Deno.addSignalListener(name as Deno.Signal, () => {
      const interrupted = current;
      current = new AbortController(); // waits started after this interrupt go on normally
      interrupted.abort(new InterruptedError());
    });
  } catch {
    // not a signal this system knows: interrupts fall back to the kernel's own ways
  }
}
listen();

/**
 * Aborts at the next Kernel → Interrupt (never, outside the course's kernel). Take it when a
 * wait starts: each interrupt aborts the signals handed out before it.
 */
export function interruptSignal(): AbortSignal {
  return current.signal;
}
