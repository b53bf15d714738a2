/**
 * Section 9's collection errors: an error that only repeats another's code and message for its own
 * API is named under the first, not printed again; different problems stay apart.
 */
import { describe, expect, it } from 'vitest';
import { collectionErrorsView } from '../src/render/report/findings.js';

const denied = (action: string) => ({
  source: action,
  code: 'UnauthorizedOperation',
  message: `User: arn:aws:sts::111122223333:assumed-role/CalicoAuditReadOnly/calico-eks-auditor is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`,
});

describe('collection errors in the report', () => {
  it('names the APIs that failed alike under the first, once each, and keeps other errors apart', () => {
    const view = collectionErrorsView([
      denied('ec2:DescribeInstances'),
      denied('ec2:DescribeSubnets'),
      denied('ec2:DescribeSubnets'),
      denied('ec2:DescribeVpcs'),
      { source: 'kubernetes:pods', code: 'Forbidden', message: 'pods is forbidden' },
      denied('ec2:DescribeInstances'),
    ]);
    expect(view).toHaveLength(2);
    expect(view[0]).toMatchObject({ source: 'ec2:DescribeInstances', code: 'UnauthorizedOperation' });
    // Markdown, escaped for the report.
    expect(view[0]!.same?.text).toBe('ec2:DescribeSubnets and ec2:DescribeVpcs');
    expect(view[0]!.message).toContain('ec2:DescribeInstances because');
    expect(view[1]).toMatchObject({ source: 'kubernetes:pods', code: 'Forbidden', same: null });
  });

  it('keeps an error with no source whole', () => {
    expect(collectionErrorsView([{ source: '', code: 'X', message: 'odd' }])).toEqual([{ source: '', code: 'X', message: 'odd', same: null }]);
  });
});
