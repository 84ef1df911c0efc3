// Type declarations for botrun scripts written in JavaScript.
// `botrun types` writes this file into a bot directory; editors that read
// TypeScript declarations (VS Code and others) then complete and check the
// script API. Nothing here runs: the API is provided by botrun itself.

/// <reference lib="es2020" />

/** A Discord snowflake id. Ids are always strings in botrun. */
type Snowflake = string;

/** A user as the platform sends it. */
interface User {
  id: Snowflake;
  username: string;
  global_name?: string | null;
  discriminator?: string;
  avatar?: string | null;
  bot?: boolean;
  [field: string]: unknown;
}

/** A guild member as the platform sends it. */
interface GuildMember {
  user?: User;
  nick?: string | null;
  roles: Snowflake[];
  joined_at: string;
  [field: string]: unknown;
}

/** An embed, as documented by the platform. */
interface Embed {
  title?: string;
  description?: string;
  url?: string;
  color?: number;
  fields?: { name: string; value: string; inline?: boolean }[];
  footer?: { text: string; icon_url?: string };
  image?: { url: string };
  thumbnail?: { url: string };
  [field: string]: unknown;
}

/**
 * A message to send: the platform's message object (content, embeds,
 * components, allowed_mentions, ...). In interaction responses,
 * `ephemeral: true` makes the reply visible to the invoking user only
 * (botrun sets flag 64 and removes the key).
 */
interface MessageBody {
  content?: string;
  embeds?: Embed[];
  components?: unknown[];
  allowed_mentions?: unknown;
  tts?: boolean;
  flags?: number;
  /** Interaction replies only: show the reply to the invoking user only. */
  ephemeral?: boolean;
  [field: string]: unknown;
}

/** A string is shorthand for `{ content: string }`. */
type ContentOrMessage = string | MessageBody;

/**
 * A message: the MESSAGE_CREATE / MESSAGE_UPDATE data exactly as sent
 * (snake_case fields), plus methods. Read-only.
 */
interface Message {
  readonly id: Snowflake;
  readonly channel_id: Snowflake;
  readonly guild_id?: Snowflake;
  readonly author: User;
  readonly member?: GuildMember;
  readonly content: string;
  readonly timestamp: string;
  readonly mentions: User[];
  readonly embeds: Embed[];
  readonly [field: string]: unknown;
  /** Reply in the same channel, referencing this message. */
  reply(content: ContentOrMessage): Promise<Message>;
  /** Add a reaction: a unicode emoji, "name:id" or "<:name:id>". */
  react(emoji: string): Promise<void>;
  /** Edit this message (only the bot's own messages can be edited). */
  edit(content: ContentOrMessage): Promise<Message>;
  /** Delete this message. */
  delete(): Promise<void>;
}

/** A choice offered by autocomplete. */
interface Choice {
  name: string;
  value: string | number;
}

/** A modal: custom_id, title, and up to 5 components (text inputs may be listed bare). */
interface Modal {
  custom_id: string;
  title: string;
  components: unknown[];
}

/**
 * An interaction (slash command, component, modal submit, autocomplete):
 * the INTERACTION_CREATE data exactly as sent plus computed fields and
 * methods. Read-only.
 */
interface Interaction {
  readonly id: Snowflake;
  readonly application_id: Snowflake;
  /** 2 command, 3 component, 4 autocomplete, 5 modal submit. */
  readonly type: number;
  readonly token: string;
  readonly guild_id?: Snowflake;
  readonly channel_id?: Snowflake;
  readonly member?: GuildMember;
  readonly data?: Record<string, unknown>;
  readonly message?: Message;
  /** The invoking user, from member.user in guilds and user in DMs. */
  readonly user: User;
  /** The invoked command's name. */
  readonly command?: string;
  /** Option name → value for the invoked (sub)command. Ids are strings. */
  readonly options?: Record<string, string | number | boolean>;
  /** The invoked subcommand, if any. */
  readonly subcommand?: string;
  /** The invoked subcommand group, if any. */
  readonly group?: string;
  /** Autocomplete: the name of the option being typed. */
  readonly focused?: string;
  /** Components and modals: the custom_id. */
  readonly custom_id?: string;
  /** Select menus: the chosen values. */
  readonly values?: string[];
  /** Modal submits: input custom_id → value (select inputs give string[]). */
  readonly fields?: Record<string, string | string[]>;
  /** Users, members (each with its user), roles, channels, attachments named by options. */
  readonly resolved?: {
    users?: Record<Snowflake, User>;
    members?: Record<Snowflake, GuildMember>;
    roles?: Record<Snowflake, unknown>;
    channels?: Record<Snowflake, unknown>;
    attachments?: Record<Snowflake, unknown>;
  };
  /** User and message commands (context menus): the user or message it was used on. */
  readonly target?: User | Message;
  readonly [field: string]: unknown;
  /**
   * Answer the interaction with a message. For autocomplete, pass the
   * choices (a list, or `{ choices }`).
   */
  respond(content: ContentOrMessage | Choice[] | { choices: Choice[] }): Promise<unknown>;
  /** Acknowledge now and answer later with edit/followup. Components defer without a new message. */
  defer(options?: { ephemeral?: boolean }): Promise<unknown>;
  /** Send another message after the first response. */
  followup(content: ContentOrMessage): Promise<unknown>;
  /** Edit the original response. */
  edit(content: ContentOrMessage): Promise<unknown>;
  /** Delete the original response. */
  delete(): Promise<void>;
  /** Components and modal submits: replace the message the component is on. */
  update(content: ContentOrMessage): Promise<unknown>;
  /** Open a modal (not in answer to a modal submit or autocomplete). */
  show_modal(modal: Modal): Promise<unknown>;
}

/** GUILD_MEMBER_ADD data: a member plus the guild id. */
interface GuildMemberAdd extends GuildMember {
  readonly guild_id: Snowflake;
}

/** READY data as the platform sent it. */
interface Ready {
  readonly v: number;
  readonly user: User;
  readonly guilds: { id: Snowflake; unavailable?: boolean }[];
  readonly session_id: string;
  readonly application: { id: Snowflake; flags?: number };
  readonly [field: string]: unknown;
}

/** A handle returned by on/once. */
interface Subscription {
  /** Stop receiving the event. Calling it twice is harmless. */
  off(): void;
}

/** A handle returned by timer.after/timer.every. */
interface Timer {
  /** Stop the timer. Calling it twice, or after it fired, is harmless. */
  cancel(): void;
}

/** Platform failures reject with this error. */
interface APIError extends Error {
  /** HTTP status, 0 when no answer arrived. */
  status: number;
  /** Platform error code (Discord JSON code), 0 if none. */
  code: number;
  message: string;
}

/** An application command spec (Discord's object), registered by botrun. */
interface CommandSpec {
  name: string;
  /** Required for slash commands (type 1, the default). */
  description?: string;
  /** 1 slash (default), 2 user, 3 message. */
  type?: number;
  options?: unknown[];
  /** Register only in these guilds (instantly) instead of globally. */
  guild_ids?: Snowflake[];
  [field: string]: unknown;
}

/** Subscribe to a dispatch. */
declare function on(name: "MESSAGE_CREATE" | "MESSAGE_UPDATE", fn: (msg: Message) => unknown): Subscription;
declare function on(name: "INTERACTION_CREATE", fn: (ix: Interaction) => unknown): Subscription;
declare function on(name: "GUILD_MEMBER_ADD", fn: (member: GuildMemberAdd) => unknown): Subscription;
declare function on(name: "READY", fn: (ready: Ready) => unknown): Subscription;
declare function on(name: "*", fn: (name: string, data: any) => unknown): Subscription;
declare function on(name: string, fn: (data: any) => unknown): Subscription;

/** Like on, but the handler runs at most once. */
declare function once(name: "MESSAGE_CREATE" | "MESSAGE_UPDATE", fn: (msg: Message) => unknown): Subscription;
declare function once(name: "INTERACTION_CREATE", fn: (ix: Interaction) => unknown): Subscription;
declare function once(name: "READY", fn: (ready: Ready) => unknown): Subscription;
declare function once(name: string, fn: (data: any) => unknown): Subscription;

/** Declare an application command; botrun registers it and routes its interactions to fn. */
declare function command(spec: CommandSpec, fn: (ix: Interaction) => unknown): void;
/** Handle components whose custom_id starts with prefix (longest prefix wins). */
declare function component(prefix: string, fn: (ix: Interaction) => unknown): void;
/** Handle submits of the modal with this custom_id. */
declare function modal(custom_id: string, fn: (ix: Interaction) => unknown): void;
/** Handle autocomplete of one option of a command; answer with ix.respond(choices). */
declare function autocomplete(command: string, option: string, fn: (ix: Interaction) => unknown): void;

/** Resolve after ms milliseconds; other events are handled meanwhile. */
declare function sleep(ms: number): Promise<void>;

/** The platform's REST API. Paths are relative to the API base ("/channels/1/messages"). */
interface DiscordAPI {
  get(path: string): Promise<any>;
  post(path: string, body?: unknown): Promise<any>;
  put(path: string, body?: unknown): Promise<any>;
  patch(path: string, body?: unknown): Promise<any>;
  delete(path: string): Promise<any>;
  request(method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<any>;
  /** Send a message to a channel. */
  send(channel_id: Snowflake, content: ContentOrMessage): Promise<Message>;
}
declare const discord: DiscordAPI;

/** This script's persistent key-value store of JSON values. */
interface Store {
  /** The stored value, or null when the key is not set. */
  get<T = any>(key: string): Promise<T | null>;
  /** Store a JSON-encodable value (at most 1 MiB encoded); null deletes. */
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
}
declare const store: Store;

/** Log lines carry the script's name. Arguments are joined with spaces; objects show as JSON. */
declare namespace log {
  function debug(...args: unknown[]): void;
  function info(...args: unknown[]): void;
  function warn(...args: unknown[]): void;
  function error(...args: unknown[]): void;
}

/** Timers with handles (setTimeout/setInterval, with numeric ids, also exist). */
declare namespace timer {
  /** Run fn once after ms milliseconds. */
  function after(ms: number, fn: () => unknown): Timer;
  /** Run fn every ms milliseconds (at least 10). */
  function every(ms: number, fn: () => unknown): Timer;
  /** Cancel a timer; null/undefined is ignored. */
  function cancel(t: Timer | null | undefined): void;
}

/** console writes to the script's log, like the log functions. */
interface Console {
  log(...args: any[]): void;
  debug(...args: any[]): void;
  info(...args: any[]): void;
  warn(...args: any[]): void;
  error(...args: any[]): void;
}
declare var console: Console;

/** Run fn(...args) once after ms milliseconds; returns a timer id. */
declare function setTimeout<A extends any[]>(fn: (...args: A) => unknown, ms?: number, ...args: A): number;
/** Run fn(...args) every ms milliseconds (at least 10); returns a timer id. */
declare function setInterval<A extends any[]>(fn: (...args: A) => unknown, ms?: number, ...args: A): number;
/** Cancel a setTimeout id; null/undefined is ignored. */
declare function clearTimeout(id: number | null | undefined): void;
/** Cancel a setInterval id; null/undefined is ignored. */
declare function clearInterval(id: number | null | undefined): void;

/** The bot's identity (set once READY) and presence. */
declare namespace bot {
  /** The bot's user; undefined before READY. */
  const user: User | undefined;
  /** The application id; undefined before READY. */
  const application_id: Snowflake | undefined;
  /** Set the bot's status and activities. Missing fields take defaults (online, no activity). */
  function set_presence(presence: {
    status?: "online" | "idle" | "dnd" | "invisible" | "offline";
    activity?: { name: string; type?: number; state?: string; url?: string };
    activities?: { name: string; type?: number; state?: string; url?: string }[];
    afk?: boolean;
    since?: number | null;
  }): Promise<void>;
}

/** This script's settings: [scripts.NAME] in botrun.toml. */
declare const config: Readonly<Record<string, any>>;

/** Load a module from the bot directory or the stdlib. */
declare function require(path: string): any;

/** module.exports for modules loaded with require. */
declare const module: { exports: any };
declare const exports: any;
