// The editor URL the browser loads in its iframe: discovery's urlsrc with WOPISrc added, as Drive's
// compute_wopi_launch_url builds it. urlsrc may hold optional parameters as placeholders,
// `<name=PLACEHOLDER&>`; the ones Drive knows are filled (UI_LLCC and DC_LLCC with the language,
// DISABLE_CHAT), every placeholder is removed from the URL, and Collabora's closebutton=false is
// added. Unlike Drive, which rebuilds the whole query, literal parameters of urlsrc are kept: the
// spec says to keep them.

const PLACEHOLDER = /<([a-zA-Z]+)=([a-zA-Z0-9_]+)&?>/g;

export interface LaunchOptions {
  /** A BCP 47 language tag (en, fr-FR); fills UI_LLCC and DC_LLCC, and Collabora's lang. */
  lang?: string;
  disableChat?: boolean;
}

export function launchUrl(urlsrc: string, wopiSrc: string, options: LaunchOptions = {}): string {
  const values: Record<string, string | undefined> = {
    UI_LLCC: options.lang,
    DC_LLCC: options.lang,
    DISABLE_CHAT: options.disableChat === undefined ? undefined : options.disableChat ? '1' : '0',
  };
  const filled: [string, string][] = [];
  for (const match of urlsrc.matchAll(PLACEHOLDER)) {
    const [, name, placeholder] = match;
    const value = placeholder === undefined ? undefined : values[placeholder];
    if (name !== undefined && value !== undefined) filled.push([name, value]);
  }
  const bare = urlsrc.replace(PLACEHOLDER, '');
  const queryAt = bare.indexOf('?');
  const base = queryAt < 0 ? bare : bare.slice(0, queryAt);
  const literal = queryAt < 0 ? '' : bare.slice(queryAt + 1);
  const query = new URLSearchParams(literal);
  query.set('WOPISrc', wopiSrc);
  query.set('closebutton', 'false');
  if (options.lang !== undefined) query.set('lang', options.lang);
  for (const [name, value] of filled) query.set(name, value);
  return `${base}?${query.toString()}`;
}
