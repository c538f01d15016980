// The designer's React Flow nodes and edges as a typed union: one node type per family of steps, plus the
// "Sequence starts here" node and the end of an open branch. Edges carry the definition link they draw.
import type {
  AdvanceToSequenceStep,
  ConditionStep,
  EmailStep,
  ManualStep,
  SequenceOptions,
  Step,
  UpdateFieldStep,
  WaitStep,
} from '@domain/definition.js';
import type { Edge, Node } from '@xyflow/react';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The links of a step (`next`, `yes`, `no`) live on edges; a node holds everything else. */
export type LinkProperty = 'next' | 'yes' | 'no';
export type StepContent<S extends Step = Step> = DistributiveOmit<S, LinkProperty>;

export type StartNode = Node<{ options: SequenceOptions }, 'start'>;
export type ActivityNode = Node<{ step: StepContent<EmailStep | ManualStep> }, 'activity'>;
export type WaitNode = Node<{ step: StepContent<WaitStep> }, 'wait'>;
export type ConditionNode = Node<{ step: StepContent<ConditionStep> }, 'condition'>;
export type CommandNode = Node<{ step: StepContent<UpdateFieldStep | AdvanceToSequenceStep> }, 'command'>;
/** Where an open link ends: the branch stops here until a step is added on the edge that leads to it. */
export type EndNode = Node<Record<string, never>, 'end'>;

export type StepNode = ActivityNode | WaitNode | ConditionNode | CommandNode;
export type DesignerNode = StartNode | StepNode | EndNode;
export type DesignerNodeType = DesignerNode['type'];

/** A link of the definition: the start (`from` null) or a step's `next`/`yes`/`no`. */
export interface LinkRef {
  from: string | null;
  key: 'start' | LinkProperty;
}

export interface LinkEdgeData extends Record<string, unknown> {
  link: LinkRef;
  /** The step the link points to; null when the link is open (the branch ends). */
  target: string | null;
  /** Set by the layout: where the line goes between its ends. */
  route?: EdgeRoute;
}

/**
 * A link's way down: `via` are the points the layout kept free for a line that passes ranks of other steps
 * (empty from one rank to the next), and `entry` moves its end sideways when several links join at one step,
 * so that each comes in on its own line under its own +.
 */
export interface EdgeRoute {
  via: { x: number; y: number }[];
  entry: number;
}

export type LinkEdge = Edge<LinkEdgeData, 'link'>;

export interface Flow {
  nodes: DesignerNode[];
  edges: LinkEdge[];
}

export const START_NODE_ID = 'start';

export function stepNodeId(stepId: string): string {
  return `step:${stepId}`;
}

export function endNodeId(link: LinkRef): string {
  return `end:${link.from ?? ''}:${link.key}`;
}

export function isStepNode(node: DesignerNode): node is StepNode {
  return node.type !== 'start' && node.type !== 'end';
}
