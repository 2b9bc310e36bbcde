import type { ProjectColor } from '@/lib/colors';
import { avatarClass } from '@/lib/colors';
import { cn } from '@/lib/utils';

// The project's colour as a rounded square with its initial: an identity mark,
// unlike the round dot of a status badge.
export function ProjectAvatar({ name, color, className }: { name: string; color: ProjectColor | null | undefined; className?: string }) {
  const letter = [...name.trim()][0]?.toUpperCase() ?? '?';
  return (
    <span
      aria-hidden="true"
      data-testid="project-avatar"
      className={cn('inline-flex size-8 shrink-0 items-center justify-center rounded-md text-sm font-semibold text-white select-none', avatarClass(color), className)}
    >
      {letter}
    </span>
  );
}
