import { Graph, layout } from '@dagrejs/dagre';

/**
 * The definition as a graph, laid out once by dagre (layered, top to bottom,
 * as the Step Functions console draws it): one node per state plus Start and
 * End, one edge per transition (Next, Default, each Choice, each Catch).
 */

export interface GraphNode {
  id: string;
  /** The state's type, or 'Start' / 'End' for the two markers. */
  type: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GraphEdge {
  from: string;
  to: string;
  kind: 'next' | 'choice' | 'default' | 'catch';
  /** What the transition is taken on: a Catch's errors, a Choice's rule. */
  label?: string;
  points: { x: number; y: number }[];
}

export interface DefinitionGraph {
  width: number;
  height: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: { Next: string; Variable?: string; StringEquals?: string }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
}

export const START = '__start';
export const END = '__end';

/** Nodes are sized for their label: about 7.5 px per character of the page's 13 px font. */
function nodeSize(name: string, type: string): { width: number; height: number } {
  if (type === 'Start' || type === 'End') return { width: 64, height: 28 };
  return { width: Math.max(120, Math.round(name.length * 7.5) + 36), height: 38 };
}

export function layoutDefinition(definition: AslDefinition): DefinitionGraph {
  const graph = new Graph({ multigraph: true });
  graph.setGraph({ rankdir: 'TB', nodesep: 18, edgesep: 8, ranksep: 40, marginx: 12, marginy: 12 });
  graph.setDefaultEdgeLabel(() => ({}));
  const add = (id: string, type: string) => graph.setNode(id, { type, ...nodeSize(id, type) });
  add(START, 'Start');
  add(END, 'End');
  const edges: Omit<GraphEdge, 'points'>[] = [{ from: START, to: definition.StartAt, kind: 'next' }];
  for (const [name, state] of Object.entries(definition.States)) {
    add(name, state.Type);
    if (state.Next !== undefined) edges.push({ from: name, to: state.Next, kind: 'next' });
    for (const choice of state.Choices ?? []) {
      const rule =
        choice.Variable !== undefined && choice.StringEquals !== undefined
          ? `${choice.Variable} == "${choice.StringEquals}"`
          : 'rule';
      edges.push({ from: name, to: choice.Next, kind: 'choice', label: rule });
    }
    if (state.Default !== undefined) edges.push({ from: name, to: state.Default, kind: 'default' });
    for (const rule of state.Catch ?? []) {
      edges.push({ from: name, to: rule.Next, kind: 'catch', label: rule.ErrorEquals.join(', ') });
    }
    if (state.End === true || state.Type === 'Succeed' || state.Type === 'Fail') {
      edges.push({ from: name, to: END, kind: 'next' });
    }
  }
  edges.forEach((edge, index) => {
    // Catch edges weigh less: the main path stays straight, the error paths bend around it.
    graph.setEdge(edge.from, edge.to, { weight: edge.kind === 'catch' ? 1 : 4, minlen: 1 }, String(index));
  });
  layout(graph);
  const label = graph.graph();
  return {
    width: Math.ceil(label.width ?? 0),
    height: Math.ceil(label.height ?? 0),
    nodes: graph.nodes().map((id) => {
      const node = graph.node(id) as unknown as {
        type: string;
        x: number;
        y: number;
        width: number;
        height: number;
      };
      return { id, type: node.type, x: node.x, y: node.y, width: node.width, height: node.height };
    }),
    edges: edges.map((edge, index) => {
      const laid = graph.edge({ v: edge.from, w: edge.to, name: String(index) }) as {
        points?: { x: number; y: number }[];
      };
      return { ...edge, points: laid.points ?? [] };
    }),
  };
}
