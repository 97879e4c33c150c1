/**
 * Display helpers for the notebooks: tables, mermaid diagrams and plotly charts as
 * values that show themselves in Jupyter and stay testable outside it.
 *
 * @module
 */
export * from "./display.ts";
export * from "./mermaid.ts";
export * from "./plotly.ts";
