export function Logo({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" className={className} aria-hidden="true">
      <rect width="32" height="32" rx="7" className="fill-primary" />
      <path d="M7 23V11h3l3 6 3-6h3v12h-3v-7l-3 6-3-6v7z" className="fill-primary-foreground" />
      <circle cx="23.5" cy="21" r="2" className="fill-primary-foreground/60" />
    </svg>
  );
}
