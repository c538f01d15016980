// Shown where a settings area's API route does not exist on this server (an older or partial install).
import { Empty } from '../ui/states.js';

export function NotAvailable({ what }: { what: string }) {
  return (
    <Empty title="Not available on this server">
      This server does not offer {what} yet. Update Stepwise to manage them here.
    </Empty>
  );
}
