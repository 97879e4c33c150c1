/**
 * HTTP as a pull protocol, for comparison with SMTP's push (chapter 3).
 *
 * @module
 */
export * from "./pull.ts";
