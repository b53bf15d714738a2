/** Sends the run's summary email through SES v2: one message, HTML and plain-text bodies. */
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Email } from '../render/email.js';

export interface EmailNotifier {
  send(email: Email): Promise<{ messageId: string | null }>;
}

export class SesEmailNotifier implements EmailNotifier {
  constructor(
    private readonly client: SESv2Client,
    private readonly from: string,
    private readonly to: readonly string[],
  ) {}

  async send(email: Email): Promise<{ messageId: string | null }> {
    const result = await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: this.from,
        Destination: { ToAddresses: [...this.to] },
        Content: {
          Simple: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: email.text, Charset: 'UTF-8' }, Html: { Data: email.html, Charset: 'UTF-8' } },
          },
        },
      }),
    );
    return { messageId: result.MessageId ?? null };
  }
}
