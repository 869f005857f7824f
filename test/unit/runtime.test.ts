describe('test runtime', () => {
  it('runs on Node 24, the major of the Lambda runtime (nodejs24.x), whatever the system Node is', () => {
    expect(process.versions.node.split('.')[0]).toBe('24');
  });
});
