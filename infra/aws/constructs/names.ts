/** 'consumerHistory' → 'ConsumerHistory' (construct ids). */
export function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** 'reportSend' → 'report-send' (resource names). */
export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
