/** A Telegram user or bot. */
interface TelegramUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  [key: string]: unknown;
}
/** A private chat, group, supergroup or channel. */
interface TelegramChat {
  id: number;
  type: "private" | "group" | "supergroup" | "channel";
  title?: string;
  username?: string;
  first_name?: string;
  [key: string]: unknown;
}
/** One size of a photo. */
interface TelegramPhotoSize {
  /** Sends the photo again: telegram.sendPhoto(chatId, file_id). */
  file_id: string;
  file_unique_id: string;
  width: number;
  height: number;
  file_size?: number;
}
/** A message (https://core.telegram.org/bots/api#message). */
interface TelegramMessage {
  message_id: number;
  /** Unix time. */
  date: number;
  chat: TelegramChat;
  from?: TelegramUser;
  text?: string;
  caption?: string;
  photo?: TelegramPhotoSize[];
  [key: string]: unknown;
}
/** A press on an inline keyboard button. */
interface TelegramCallbackQuery {
  /** For telegram.answerCallbackQuery. */
  id: string;
  from: TelegramUser;
  message?: TelegramMessage;
  data?: string;
  [key: string]: unknown;
}
/** An incoming update (getUpdates). */
interface TelegramUpdate {
  update_id: number;
  message?: TelegramMessage;
  edited_message?: TelegramMessage;
  callback_query?: TelegramCallbackQuery;
  [key: string]: unknown;
}
/** The Telegram Bot API (https://core.telegram.org/bots/api) for the bot of plugins.config.telegram. */
declare const telegram: {
  /** The bot's own user. */
  getMe(): Promise<TelegramUser>;
  /** Sends `text` to `chatId`; `options` are sendMessage's other fields (parse_mode, reply_markup, …). */
  sendMessage(chatId: number | string, text: string, options?: Record<string, unknown>): Promise<TelegramMessage>;
  /** Sends a photo: bytes (a Uint8Array) or {path} (a file of the project's storage, at most 10 MB) are uploaded; a string is a file_id or an HTTP URL Telegram fetches. `options`: caption, parse_mode, reply_markup, … */
  sendPhoto(chatId: number | string, photo: Uint8Array | string | { path: string }, options?: Record<string, unknown>): Promise<TelegramMessage>;
  /** Answers a callback query (an inline keyboard press); `options`: text, show_alert, … */
  answerCallbackQuery(callbackQueryId: string, options?: Record<string, unknown>): Promise<boolean>;
  /** Makes Telegram POST updates to `url`; `options`: secret_token, allowed_updates, … */
  setWebhook(url: string, options?: Record<string, unknown>): Promise<boolean>;
  /** Stops webhook delivery (getUpdates works again); `options`: drop_pending_updates. */
  deleteWebhook(options?: Record<string, unknown>): Promise<boolean>;
  /** Long poll: waits up to options.timeout seconds (default 25) for updates after options.offset, with the project's JS released meanwhile; returns them (possibly none). */
  getUpdates(options?: { offset?: number; limit?: number; timeout?: number; allowed_updates?: string[] }): TelegramUpdate[];
};
