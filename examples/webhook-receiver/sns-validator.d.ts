/** Types for sns-validator 0.3 (AWS's SNS message validator), which ships none. */
declare module 'sns-validator' {
  type Message = Record<string, unknown>;
  class MessageValidator {
    /** @param hostPattern hosts SigningCertURL may name; @param encoding of the signed text (utf8) */
    constructor(hostPattern?: RegExp, encoding?: string);
    validate(message: Message | string, callback: (error: Error | null, message?: Message) => void): void;
  }
  export = MessageValidator;
}
