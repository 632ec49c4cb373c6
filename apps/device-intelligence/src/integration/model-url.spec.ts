import { modelUrlProblem } from './model-url';

describe('modelUrlProblem', () => {
  it('accepts http and https URLs when no allow-list is set', () => {
    expect(modelUrlProblem('https://ml.internal.example/score', undefined)).toBeUndefined();
    expect(modelUrlProblem('http://127.0.0.1:8090/score', [])).toBeUndefined();
  });

  it.each([
    ['file:///etc/passwd', 'must use http or https'],
    ['gopher://internal:70/', 'must use http or https'],
    ['not a url', 'must be an absolute URL'],
    ['https://user:secret@ml.example/score', 'must not carry credentials'],
  ])('refuses %s', (url, problem) => {
    expect(modelUrlProblem(url, undefined)).toBe(problem);
  });

  it('allows only the listed hosts, case-insensitively, when an allow-list is set', () => {
    const allowed = ['ml.example.com', 'risk-model'];
    expect(modelUrlProblem('https://ML.example.com/score', allowed)).toBeUndefined();
    expect(modelUrlProblem('http://risk-model:8090/score', allowed)).toBeUndefined();
    expect(modelUrlProblem('http://169.254.169.254/latest/meta-data', allowed)).toBe(
      'host 169.254.169.254 is not in MODEL_ALLOWED_HOSTS',
    );
    expect(modelUrlProblem('https://ml.example.com.evil.test/score', allowed)).toMatch(/not in/);
  });
});
