/**
 * The project's own sentiment lexicon for customer-service chat (written for attune, MIT like the
 * code; no third-party word list). Valence is −3…3. Words are lower case; stretched spellings are
 * folded before lookup ("sooo" → "so").
 */

function weighted(entries: string): ReadonlyMap<string, number> {
  const map = new Map<string, number>();
  for (const group of entries.trim().split(/\n/)) {
    const [weight, words] = group.split(':');
    const value = Number(weight);
    for (const word of words.trim().split(/\s+/)) map.set(word, value);
  }
  return map;
}

function wordSet(words: string): ReadonlySet<string> {
  return new Set(words.trim().split(/\s+/));
}

export const VALENCE: ReadonlyMap<string, number> = weighted(`
3: adore adored amazingly wow awesomeness masterpiece blessed overjoyed ecstatic euphoric heavenly magnificent spectacular splendid sublime excellent amazing awesome fantastic brilliant superb outstanding wonderful perfect love loved loving lovely delighted thrilled incredible phenomenal exceptional flawless legend lifesaver marvellous marvelous fabulous terrific stellar
2: admire admirable adorable affordable applaud beautifully benefit blessing bravo brave calming caring charming cheerful clean comfy compassionate confident considerate cute dedicated dependable easier effortless elegant encouraging energetic enjoyable enthusiastic excited exciting fascinating favourite favorite fortunate friendly generous genius gentle genuine gladly glorious gorgeous graceful gracious happier happiest happily healthy heartwarming helped hero heroes honest hopeful hug hugs humble inspiring inspired intelligent joy joyful kindness laugh laughing lucky lovable loyal magical memorable neat optimistic peaceful pleasant pleasing polished popular positive precious pretty proud quality refreshing reliable remarkable respect respected respectful rewarding rich romantic safe satisfying seamless sensible sincere skilled smart smile smiling solid soothing special speedy spot-on stunning stable strong succeed succeeded supportive sweetest talented tasty thoughtful top trust trusted trustworthy valuable versatile warm wholesome wise wonderfully worthy yummy great good happy glad pleased thank thanks thankyou thx ty cheers appreciate appreciated grateful helpful kind friendly nice enjoy enjoyed impressed impressive best recommend smooth easy quick fast efficient reliable relieved relief yay hooray congrats congratulations welcome professional polite patient courteous fab cool sweet gem star praise fixed resolved sorted solved approved refunded safe beautiful pleasure satisfied
1: ok okay fine fair decent better useful clear convenient simple handy interesting hope hopefully promptly prompt fun win winning works worked success successful comfortable calm
-1: absent annoy awkward bland boring bother bothered busy cold complicated costly cramped critical critic cry crying delay dirty disagree dull edgy empty exhausted fake flawed forgot forgotten grumpy guilty harsh hurt hurts impatient imperfect insecure lacking lame lazy limited lonely mediocre meh messy mistaken noisy obnoxious outdated overpriced pointless problematic questionable random repetitive rough sarcastic shaky sick silly slower sore sorry strict struggle struggling stubborn suspicious tired tricky ugly uncomfortable unfortunate unlucky unpleasant unsure untidy unusual weak weird worn slow late wait waiting waited delay delayed delays pending still again confusing confused unclear complicated issue issues problem problems wrong mistake error errors fee fees charge charged charges overcharged cancelled canceled cancel declined decline rejected refused denied bounced missing lost stuck hold queue queues unable difficult hard sorry unfortunately sadly hassle inconvenient inconvenience concern concerned doubt doubtful worried worry worrying nervous uncertain odd strange weird expensive costly broken fail failed failing failure down crash crashed crashes glitch bug buggy bugs locked blocked frozen
-2: abuse abused abusive aggressive agony alarming angrier annoyance arrogant ashamed assault awful bitter blame blamed brutal careless catastrophe cheater coward creepy cruel damage damaged damn dangerous dead deadly death defective depressed depressing depression desperate destroy destroyed devastated die died dies disaster disastrous dishonest disrespect disrespectful distressed disturbing dreadful embarrassed embarrassing evil fatal faulty filthy fools foolish gross grief guilt heartbroken hopeless horrified hostile humiliated hurtful ignorant illegal immature injured injustice insane insult insulting irresponsible jealous kill killed killing lousy lying mean miserable misery mislead misleading moron murder nasty negative neglect neglected offended offensive oppressive pain painful paranoid pissed poison poorly racist regret resent ridicule rotten ruin ruined ruins sad scary screwed selfish shame sloppy smug sorrow stressful stupidity suck suffer suffered suffering suicide terrible terrorism threat threatened toxic tragic tragedy trash traumatic ugh unbearable unfair unjust unsafe upsetting victim violent vomit war weep worthless wrecked wtf bad poor sad unhappy upset disappointed disappointing disappointment annoyed annoying annoys irritated irritating frustrated frustrating frustration angry mad hate hated hates dislike rude unhelpful useless worse incompetent ignored ignoring ignore shocking shocked unacceptable unprofessional ridiculous nonsense rubbish crap waste wasted wasting fraud fraudulent scam scammed scammer stolen stole theft hacked robbed cheated misled lied lies liar mess messed terrible awful horrible dreadful stress stressed stressful scared afraid anxious panic panicking fear terrified painful pain nightmare joke hell sucks suck sucked cheap greedy unreliable unfair unhappy regret complaint complain complaining complained fed chaos shambles clowns idiots idiot stupid dumb
-3: bigot bigoted cancer hateful heinous horrific insufferable loathe loathing nauseating repulsive scum sickening unforgivable worst disgusting disgraceful disgusted appalling atrocious pathetic furious livid outraged outrageous horrendous abysmal diabolical despicable shameful abhorrent vile
`);

/** Words that strengthen the next sentiment word; the value is the multiplier. */
export const INTENSIFIERS: ReadonlyMap<string, number> = weighted(`
1.5: extremely incredibly absolutely utterly totally completely seriously truly hugely massively insanely ridiculously beyond terribly awfully
1.3: really very so too such super highly quite deeply most bloody fucking freaking damn majorly especially particularly
`);

/** Words that soften the next sentiment word. */
export const DOWNTONERS: ReadonlyMap<string, number> = weighted(`
0.6: slightly somewhat bit little fairly kinda sorta partly marginally mildly
`);

export const PROFANITY: ReadonlySet<string> = wordSet(`
fuck fucking fucked fucker fuckers fck fcking f'ing shit shitty bullshit crap crappy damn damned dammit bloody
piss pissed arse ass asshole bastard bastards wtf ffs omfg bollocks wanker wankers twat prick dick jesus christ hell
`);

/** Single words that show anger on their own (beyond negative valence). */
export const ANGER_WORDS: ReadonlySet<string> = wordSet(`
angry furious livid outraged outrageous annoyed annoying irritated irritating infuriating infuriated fuming
mad rage hate hated ridiculous unacceptable disgraceful disgusting pathetic useless incompetent joke clowns
shambles appalling rubbish disgusted sick ludicrous absurd nonsense scandalous shameful
`);

export const ANXIETY_WORDS: ReadonlySet<string> = wordSet(`
worried worry worrying anxious anxiety nervous scared afraid frightened terrified panic panicking panicked
stressed stress stressful concerned concern uneasy fear fearful unsafe vulnerable desperate helpless
stolen theft fraud fraudulent scam scammed scammer hacked hacker cloned compromised phishing robbed
`);

export const CONFUSION_WORDS: ReadonlySet<string> = wordSet(`
confused confusing confusion unclear puzzled baffled bewildered huh unsure
`);

export const GRATITUDE_WORDS: ReadonlySet<string> = wordSet(`
thank thanks thankyou thx ty cheers ta appreciate appreciated grateful gratitude thankful relieved relief
lifesaver legend emothanks
`);

/** Multi-word cues, matched on the lower-cased normalised text with word boundaries. */
export const URGENCY_PATTERNS: readonly RegExp[] = [
  /\b(stolen|stole|theft|robbed|mugged|hacked|cloned|compromised)\b/,
  /\b(fraud|fraudulent|scam|scammed|scammer|phishing)\b/,
  /\b(urgent|urgently|asap|immediately|emergency|straight away|right away|right now|as soon as possible)\b/,
  /\b(help|sos)\s*!/,
  /\b(block|freeze|cancel|stop)\b.{0,20}\b(card|payment|transfer|account)\b.{0,20}\b(now|today|please|quick|quickly)\b/,
  /\b(someone|somebody)\b.{0,30}\b(used|using|took|taking|accessed|emptied|stole)\b/,
  /\b(didn't|did not|never) (make|authori[sz]e)\b/,
  /\b(don't|do not|didn't|did not) recogni[sz]e\b|\bwasn't me\b|\bnot mine\b/,
  /\bunauthori[sz]ed\b/,
  /\b(need|needs|needed|must|has to|have to|got to|due)\b.{0,40}\b(today|tonight|now|by \d+ ?(am|pm)?|before \d+ ?(am|pm)?|in an hour)\b/,
  /\b(emptied|wiped out|all my money|money is gone|money has gone|locked out|stranded|stuck abroad)\b/,
];

export const CONFUSION_PATTERNS: readonly RegExp[] = [
  /\b(don't|do not|didn't|did not|can't|cannot) (understand|get it|follow|work out|figure out)\b/,
  /\b(what does (this|that|it) mean|makes no sense|doesn't make sense|no idea|not sure|not clear|no clue)\b/,
  /\b(how does (this|that|it) work|what do you mean|which one|i'm lost)\b/,
  /\?\s*\?/,
];

export const GRATITUDE_PATTERNS: readonly RegExp[] = [
  /\b(thank you|thanks|thank u|thankyou|many thanks|much appreciated|appreciate (it|that|your|you)|cheers|ta very much)\b/,
  /\bemothanks\b/,
];

/**
 * Sarcasm markers: a positive phrase that, next to a complaint, means the opposite
 * ("great, thanks a lot", "yeah right", "love how I've been on hold").
 */
export const SARCASM_PATTERNS: readonly RegExp[] = [
  /\b(yeah|yea|ya) right\b/,
  /\bthanks (a lot|a bunch|a million)?\s*(for nothing|for wasting|for ruining|for making|for the (lack|delay))/,
  /\bthanks for (absolutely )?nothing\b/,
  /\b(oh|just|how|so) (great|wonderful|brilliant|lovely|fantastic|perfect|nice|helpful)\b(?! to\b)/,
  /^(great|wonderful|brilliant|fantastic|perfect|lovely|cheers|nice|thanks a lot)\s*[,.!]+\s*(now|another|again|and now|so now|my|the|you|i've|i have|it)\b/,
  /\b(love|loving|enjoy|enjoying) (how|that|when|the fact that) (i|i'm|i've|my|you|your|it|we|there)\b/,
  /\b(great|wonderful|excellent|brilliant|amazing|fantastic) (job|work|service)\b.{0,40}\b(not|never|no one|nobody|again|still|cancel|delay|lost|hung up|hold)/,
  /\bthanks (a lot|a bunch|again)\b.{0,40}\b(not|never|no one|nobody|cancel|delay|lost|hung up|hold|missed|waiting)/,
  /\bas always\b.{0,40}\b(not|never|no one|nobody|late|delay|lost|hold)/,
  /\b(not|never|no one|nobody|cancel\w*|delay\w*|lost|hold|missed|waiting|overdrawn|crash\w*|declined|fail\w*)\b.{0,40}\b(great|wonderful|brilliant|fantastic|perfect|lovely|awesome),? (thanks|thank you|job|service|work)\b/,
  /\bso much for\b/,
];
