import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import type { Cleanup } from "./cleanup.ts";

/** How the receiver answers the next messages: accept, reject for good (550), reject for now (451), or never answer. */
export type SmtpBehaviour = "accept" | "reject-550" | "reject-451" | "hang";

export interface SmtpReceiver {
  /** `smtp://user:pass@127.0.0.1:<port>`, with the credentials the receiver accepts (URL-encoded). */
  url: string;
  port: number;
  user: string;
  password: string;
  /** Every message accepted, parsed, with the envelope it came with. */
  received: Array<{ mail: ParsedMail; from: string; to: string[] }>;
  behaviour: SmtpBehaviour;
}

/**
 * An SMTP server on 127.0.0.1 that checks the login (user/password below, plain text, no TLS),
 * parses each message with mailparser and keeps it; set `behaviour` to make it reject or hang.
 */
export async function smtpReceiver(
  cleanup: Cleanup,
  options: { user?: string; password?: string } = {},
): Promise<SmtpReceiver> {
  const user = options.user ?? "mailer";
  const password = options.password ?? "s3cret-Smtp-Pa55";
  const hanging: Array<() => void> = [];
  const receiver: SmtpReceiver = { url: "", port: 0, user, password, received: [], behaviour: "accept" };
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    authOptional: false,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) callback(null, { user });
      else callback(new Error("535 authentication failed"));
    },
    onData(stream, session, callback) {
      const behaviour = receiver.behaviour;
      if (behaviour === "hang") {
        stream.resume();
        hanging.push(() => callback(new Error("shutting down")));
        return;
      }
      simpleParser(stream).then(
        (mail) => {
          if (behaviour === "reject-550") return callback(smtpError("550 no such user here", 550));
          if (behaviour === "reject-451") return callback(smtpError("451 try again later", 451));
          receiver.received.push({
            mail,
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
          });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.port = (server.server.address() as AddressInfo).port;
  receiver.url = `smtp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${receiver.port}`;
  cleanup.defer(async () => {
    for (const release of hanging) release();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return receiver;
}

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}
