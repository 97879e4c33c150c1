// nodemailer's smtp-server, storing each message the way our server does: write to
// tmp/, fsync, link into new/, fsync the folder, and only then answer 250.
// Usage: node node_smtp_server.mjs <maildir> (prints "PORT <n>" when listening)
import { SMTPServer } from "smtp-server";
import fs from "node:fs/promises";
import path from "node:path";

const root = process.argv[2];
for (const d of ["tmp", "new", "cur"]) await fs.mkdir(path.join(root, d), { recursive: true });
let n = 0;
const newDir = await fs.open(path.join(root, "new"), "r");

async function deliver(bytes) {
  const name = `${Date.now()}.N${process.pid}_${n++}.bench`;
  const tmp = path.join(root, "tmp", name);
  const file = await fs.open(tmp, "w");
  await file.write(bytes);
  await file.datasync();
  await file.close();
  await fs.rename(tmp, path.join(root, "new", name));
  await newDir.datasync();
}

const server = new SMTPServer({
  disabledCommands: ["AUTH", "STARTTLS"],
  logger: false,
  size: 10 * 1024 * 1024,
  onData(stream, _session, callback) {
    const chunks = [];
    stream.on("data", (c) => chunks.push(c));
    stream.on("end", () => deliver(Buffer.concat(chunks)).then(() => callback(), callback));
  },
});
server.listen(0, "127.0.0.1", () => console.log(`PORT ${server.server.address().port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
