import { Link } from 'react-router-dom';
import { Empty } from '../ui/states.js';

export function NotFoundPage() {
  return (
    <div className="page">
      <Empty title="There is no page here" action={<Link to="/sequences">Go to Sequences</Link>}>
        The address may be mistyped, or the page has moved.
      </Empty>
    </div>
  );
}
