/**
 * The mail benchmark's SMTP clients, in a process of their own (bench/mail.ts forks it): the
 * senders of a real gateway are other machines, so they must not share the gateway's main
 * thread (where they would take turns with it, and their CPU had to be estimated and
 * subtracted). The parent asks over IPC:
 *   { cmd: 'build', n, tag }        builds n mails (100 KB attachment each)   → { built: n, kb }
 *   { cmd: 'blast', port, senders } sends them, `senders` connections at once → { accepted, seconds, cpuMs }
 */
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';

export const DOMAIN = 'bench.test';

export async function buildMails(n: number, tag: string): Promise<Buffer[]> {
  const attachment = Buffer.alloc(100 * 1024);
  for (let i = 0; i < attachment.length; i++) attachment[i] = (i * 31 + 7) % 256;
  return Promise.all(Array.from({ length: n }, (_, i) => new MailComposer({
    from: `Bench Sender ${i % 50} <bench.sender.${i % 50}@example.com>`, to: `helpdesk@${DOMAIN}`,
    subject: `${tag} ${i}`, text: `Incident ${i}: the printer does not print.`, messageId: `<${tag}-${i}@bench.example>`,
    attachments: [{ filename: `log-${i}.bin`, content: attachment }],
  } as any).compile().build()));
}

/** Sends every mail with `senders` concurrent SMTP connections; returns accepted count and seconds. */
export async function blast(port: number, mails: Buffer[], senders: number): Promise<{ accepted: number; seconds: number }> {
  let next = 0;
  let accepted = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: senders }, async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: 1, maxMessages: Infinity } as any);
    try {
      while (next < mails.length) {
        const raw = mails[next++];
        const info = await transport.sendMail({ envelope: { from: 'bench@example.com', to: [`helpdesk@${DOMAIN}`] }, raw });
        if (/^250/.test(info.response)) accepted++;
      }
    } finally {
      transport.close();
    }
  }));
  return { accepted, seconds: (performance.now() - t0) / 1000 };
}

if (process.send) {
  let mails: Buffer[] = [];
  process.on('message', (msg: { cmd: string; n?: number; tag?: string; port?: number; senders?: number }) => {
    void (async () => {
      try {
        if (msg.cmd === 'build') {
          mails = await buildMails(msg.n!, msg.tag!);
          process.send!({ built: mails.length, kb: Math.round((mails[0]?.length ?? 0) / 1024) });
        } else if (msg.cmd === 'blast') {
          const cpu0 = process.cpuUsage();
          const result = await blast(msg.port!, mails, msg.senders!);
          const cpu = process.cpuUsage(cpu0);
          process.send!({ ...result, cpuMs: (cpu.user + cpu.system) / 1000 });
        } else if (msg.cmd === 'exit') {
          process.disconnect();
        }
      } catch (err) {
        process.send!({ error: String((err as Error)?.stack ?? err) });
      }
    })();
  });
}
