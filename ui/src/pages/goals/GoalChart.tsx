import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { DayRow } from '@/lib/goals';

// Lines per day for daily goals (recharts, loaded only on the goals pages).
export default function GoalChart({
  rows,
  series,
  locale,
  label,
}: {
  rows: DayRow[];
  series: { id: string; name: string; color: string }[];
  locale: string;
  label: string;
}) {
  const day = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' });
  const fmt = (d: string) => day.format(new Date(`${d}T00:00:00Z`));
  return (
    <div className="h-72 w-full" role="img" aria-label={label} data-testid="goal-chart">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 0, left: -8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis dataKey="date" tickFormatter={fmt} stroke="var(--muted-foreground)" fontSize={12} minTickGap={24} />
          <YAxis allowDecimals={false} stroke="var(--muted-foreground)" fontSize={12} width={48} />
          <Tooltip
            labelFormatter={(d) => fmt(String(d))}
            contentStyle={{ background: 'var(--popover)', border: '1px solid var(--border)', borderRadius: 8, color: 'var(--popover-foreground)' }}
          />
          <Legend />
          {series.map((s) => (
            <Line key={s.id} type="monotone" dataKey={s.id} name={s.name} stroke={s.color} strokeWidth={2} dot={rows.length <= 31} isAnimationActive={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
