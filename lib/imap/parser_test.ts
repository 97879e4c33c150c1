import { deepStrictEqual, throws } from "node:assert/strict";
import { ImapParseError, parseFrame, Parser } from "./parser.ts";
import { compile, compileLine } from "./compiler.ts";
import type { Frame } from "./framing.ts";
import { atom, list, literal, NIL, str } from "./values.ts";

const line = (text: string): Frame => ({ lines: [text], literals: [], size: text.length });
const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("parseFrame() reads atoms, quoted strings, NIL and nested lists", () => {
  deepStrictEqual(parseFrame(line('a1 STORE 1:* +FLAGS (\\Seen "x y" NIL (a))')), [
    atom("a1"),
    atom("STORE"),
    atom("1:*"),
    atom("+FLAGS"),
    list(atom("\\Seen"), str("x y"), NIL, list(atom("a"))),
  ]);
});

Deno.test("parseFrame() reads fetch attributes with sections and partial ranges", () => {
  const [, , , items] = parseFrame(
    line("a FETCH 1 (BODY.PEEK[HEADER.FIELDS (From To)]<0.100> BODY[1.2])"),
  );
  deepStrictEqual(
    items,
    list(
      {
        type: "atom",
        value: "BODY.PEEK",
        section: [atom("HEADER.FIELDS"), list(atom("From"), atom("To"))],
        partial: [0, 100],
      },
      { type: "atom", value: "BODY", section: [atom("1.2")] },
    ),
  );
});

Deno.test("parseFrame() splices literals in, octets untouched", () => {
  const frame: Frame = {
    lines: ["a APPEND INBOX {5+}", " {2}", ""],
    literals: [bytes("x\r\ny\0"), bytes("é").slice(0, 2)],
    size: 0,
  };
  const values = parseFrame(frame);
  deepStrictEqual(values.slice(3), [literal(bytes("x\r\ny\0")), literal(bytes("é"))]);
});

Deno.test("parseFrame() unescapes quoted strings and refuses bad escapes", () => {
  deepStrictEqual(parseFrame(line('"a\\"b\\\\c"')), [str('a"b\\c')]);
  throws(() => parseFrame(line('"a\\nb"')), ImapParseError);
  throws(() => parseFrame(line('"open')), /not closed/);
  throws(() => parseFrame(line("(a (b)")), /not closed/);
  throws(() => parseFrame(line("a )")), /unexpected/);
  throws(() => parseFrame(line("a {3}x")), /must end its line/);
});

Deno.test("Parser.rest() returns a response's text after its code", () => {
  const p = new Parser(line("* OK [UIDNEXT 4] Predicted next UID"));
  deepStrictEqual([p.readAtom().value, p.readAtom().value], ["*", "OK"]);
  p.skipSpaces();
  p.expect("[");
  deepStrictEqual(p.readAtom().value, "UIDNEXT");
  deepStrictEqual(p.readAtom().value, "4");
  p.expect("]");
  deepStrictEqual(p.rest(), " Predicted next UID");
});

Deno.test("compile() is the inverse of parseFrame()", () => {
  const values = [
    atom("*"),
    atom("3"),
    atom("FETCH"),
    list(
      atom("UID"),
      atom("17"),
      {
        type: "atom" as const,
        value: "BODY",
        section: [atom("HEADER.FIELDS"), list(atom("Subject"))],
        partial: [0] as [number],
      },
      literal(bytes("Subject: hi\r\n\r\n")),
      atom("ENVELOPE"),
      list(NIL, str('quote " and \\ back'), str("multi\r\nline"), str("中文")),
    ),
  ];
  const pieces = compile(values);
  const frame: Frame = {
    lines: pieces.map((p) => p.text.replace(/\r\n$/, "")),
    literals: pieces.flatMap((p) => p.literal ? [p.literal] : []),
    size: 0,
  };
  const back = parseFrame(frame);
  // Strings that needed a literal come back as literals with the same octets.
  deepStrictEqual(back.slice(0, 3), values.slice(0, 3));
  const items = (back[3] as { items: unknown[] }).items;
  deepStrictEqual(items.slice(0, 4), (values[3] as { items: unknown[] }).items.slice(0, 4));
  deepStrictEqual((items[5] as { items: unknown[] }).items, [
    NIL,
    str('quote " and \\ back'),
    literal(bytes("multi\r\nline")),
    literal(bytes("中文")),
  ]);
});

Deno.test("compile() writes {n+} when LITERAL+ is on", () => {
  const pieces = compile([atom("a"), atom("APPEND"), str("INBOX"), literal(bytes("hi"))], {
    literalPlus: true,
  });
  deepStrictEqual(pieces.map((p) => p.text), ['a APPEND "INBOX" {2+}\r\n', "\r\n"]);
  deepStrictEqual(new TextDecoder().decode(compileLine([atom("x"), NIL])), "x NIL\r\n");
});
