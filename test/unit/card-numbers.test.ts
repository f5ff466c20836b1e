/** Full card numbers and security codes masked before anything keeps or sends a customer's words. */
import { maskCardNumbers, passesLuhn } from '../../nlu/entities/card-numbers';

describe('maskCardNumbers', () => {
  it.each([
    ['my card number is 4539 1488 0343 6467 expiry 09/27 cvv 123, please check it', 'my card number is **** **** **** 6467 expiry 09/27 cvv ***, please check it', 1, 1],
    ['4539148803436467', '**** **** **** 6467', 1, 0],
    ['it is 4539-1488-0343-6467!', 'it is **** **** **** 6467!', 1, 0],
    // A PAN sharing a run of digit groups with other numbers is still found.
    ['4539 1488 0343 6467 2027 and 5555555555554444', '**** **** **** 6467 2027 and **** **** **** 4444', 2, 0],
    ['Amex 3782 822463 10005', 'Amex **** **** **** 0005', 1, 0],
    ['my security code is 4321', 'my security code is ****', 0, 1],
    ['CVC: 987', 'CVC: ***', 0, 1],
  ])('masks %j', (text, masked, cardNumbers, securityCodes) => {
    expect(maskCardNumbers(text)).toEqual({ text: masked, masked: cardNumbers + securityCodes, cardNumbers, securityCodes });
  });

  it.each([
    'order 1234567890123 ref', // 13 digits, not Luhn-valid
    'call 020 7946 0958 now',
    'paid £1,500.00 on 12/03/2026',
    'sort code 12-34-56 account 12345678',
    'ref 12345678901234567890123',
    'my card ending 6467 was declined',
    'hello',
  ])('leaves %j as it is', (text) => {
    const result = maskCardNumbers(text);
    expect(result).toEqual({ text, masked: 0, cardNumbers: 0, securityCodes: 0 });
    expect(result.text).toBe(text);
  });
});

describe('passesLuhn', () => {
  it('accepts real test card numbers and refuses a changed digit', () => {
    for (const pan of ['4539148803436467', '5555555555554444', '378282246310005', '6011111111111117']) expect(passesLuhn(pan)).toBe(true);
    expect(passesLuhn('4539148803436468')).toBe(false);
  });
});
