/**
 * The allow-lists as sets, built once per process from the data files next to this one
 * (vocabulary-en.ts, vocabulary-zh.ts: their headers say where the terms come from).
 */
import { englishVocabulary } from './vocabulary-en.js';
import { chineseVocabulary } from './vocabulary-zh.js';

function words(data: string): string[] {
  return data
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join(' ')
    .split(/\s+/)
    .filter(Boolean);
}

let english: Set<string> | undefined;
let chinese: { words: Set<string>; longest: number } | undefined;

/** Lower-case English (and Latin-script) clinical words. */
export function englishWords(): Set<string> {
  if (!english) {
    english = new Set();
    for (const word of words(englishVocabulary)) {
      const lower = word.toLowerCase();
      english.add(lower);
      // Hyphenated entries also allow their parts: the tokenizer splits at hyphens.
      if (lower.includes('-')) for (const part of lower.split('-')) if (part) english.add(part);
    }
  }
  return english;
}

/** Chinese clinical words (Latin letters inside them, e.g. "CT", are matched separately). */
export function chineseWords(): { words: Set<string>; longest: number } {
  if (!chinese) {
    const set = new Set<string>();
    let longest = 1;
    for (const word of words(chineseVocabulary)) {
      if (!/\p{Script=Han}/u.test(word)) continue;
      set.add(word);
      longest = Math.max(longest, [...word].length);
    }
    chinese = { words: set, longest };
  }
  return chinese;
}

/** Vocabulary size, for the docs and the tests. */
export function vocabularySize(): { english: number; chinese: number } {
  return { english: englishWords().size, chinese: chineseWords().words.size };
}

/**
 * Common Chinese surnames (the hundred-odd most frequent). Some are also one-character clinical
 * words (周 "around", 叶 "lobe", 左 "left"); followed by an unknown run they are taken as a name.
 */
export const chineseSurnames = new Set(
  [
    ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由',
  ].concat(['欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '尉迟', '公孙', '慕容', '令狐', '长孙', '宇文']),
);
