import { readFileSync } from 'node:fs';

let html: string | undefined;

/** the dev chat page: one self-contained HTML file, read once */
export const devPage = (): string => (html ??= readFileSync(new URL('./page.html', import.meta.url), 'utf8'));
