//! Which header column plays which role (customer, date, amount, ...): flags first, then the
//! header aliases of real exports in ranked tiers. Never guesses between equals: two candidates in
//! the same tier are an error that lists them and names the flag to pass.

use std::fmt;

/// A column role of the canonical transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Customer,
    Date,
    Amount,
    Quantity,
    Price,
    Cost,
    Margin,
    Order,
    Currency,
    Group,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::Customer,
        Role::Date,
        Role::Amount,
        Role::Quantity,
        Role::Price,
        Role::Cost,
        Role::Margin,
        Role::Order,
        Role::Currency,
        Role::Group,
    ];

    /// The role's position in `ALL` (the order of a row's cells by role).
    pub fn slot(self) -> usize {
        self as usize
    }

    /// Whether the role's cells are numbers (parsed with a decimal separator).
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            Role::Amount | Role::Quantity | Role::Price | Role::Cost | Role::Margin
        )
    }

    /// The flag that names this role's column.
    pub fn flag(self) -> &'static str {
        match self {
            Role::Customer => "--customer",
            Role::Date => "--date",
            Role::Amount => "--amount",
            Role::Quantity => "--quantity",
            Role::Price => "--price",
            Role::Cost => "--cost",
            Role::Margin => "--margin-column",
            Role::Order => "--order",
            Role::Currency => "--currency",
            Role::Group => "--group",
        }
    }

    /// Ranked alias tiers (normalised header names); earlier tiers win. English first, then the
    /// names German, French, Spanish, Italian, Dutch, Portuguese and Chinese exports use.
    fn tiers(self) -> &'static [&'static [&'static str]] {
        match self {
            Role::Customer => &[
                &["customer unique id"],
                &[
                    "customer id",
                    "customer key",
                    "customerkey",
                    "customer account",
                    "custaccount",
                    "customer account number",
                    "household key",
                    "household id",
                    "household",
                    "hh key",
                    "hh id",
                    "householdkey",
                    "account key",
                    "id de cliente",
                    "id del cliente",
                    "nº cliente",
                    "n° cliente",
                    "nº de cliente",
                    "n° de cliente",
                    "no cliente",
                    "no de cliente",
                    "no client",
                    "nº client",
                    "kundenkonto",
                    "identifiant client",
                    "customerid",
                    "cust id",
                    "customer no",
                    "customer number",
                    "customer code",
                    "client id",
                    "account id",
                    "account number",
                    "buyer id",
                    "user id",
                    "member id",
                    "contact id",
                    "partner id",
                    "kunnr",
                    "kunag",
                    "sold to party",
                    "debtor number",
                    "kundennummer",
                    "kunden nr",
                    "kundennr",
                    "kunden id",
                    "debitorennummer",
                    "debitornummer",
                    "debitor nr",
                    "debitor",
                    "référence client",
                    "reference client",
                    "réf client",
                    "ref client",
                    "código de cliente",
                    "codigo de cliente",
                    "cod cliente",
                    "id client",
                    "numéro client",
                    "numero client",
                    "n° client",
                    "code client",
                    "id cliente",
                    "número de cliente",
                    "numero de cliente",
                    "código cliente",
                    "codigo cliente",
                    "codice cliente",
                    "numero cliente",
                    "klantnummer",
                    "klantnr",
                    "klant id",
                    "debiteurnummer",
                    "debiteur",
                    "id do cliente",
                    "código do cliente",
                    "codigo do cliente",
                    "número do cliente",
                    "客户编号",
                    "客户id",
                    "客户代码",
                    "会员id",
                ],
                &[
                    "email",
                    "customer email",
                    "billing email",
                    "e mail",
                    "courriel",
                    "correo",
                    "correo electrónico",
                    "邮箱",
                    "电子邮件",
                ],
                &[
                    "customer",
                    "customer name",
                    "account name",
                    "company",
                    "contactname",
                    "contact name",
                    "kunde",
                    "kundenname",
                    "client",
                    "nom client",
                    "cliente",
                    "nome cliente",
                    "nome do cliente",
                    "klant",
                    "klantnaam",
                    "客户",
                    "客户名称",
                ],
            ],
            Role::Date => &[
                &[
                    "order date",
                    "orderdate",
                    "order datetime",
                    "order date time",
                    "order timestamp",
                    "transaction timestamp",
                    "trans date",
                    "transaction datetime",
                    "date order",
                    "invoice datetime",
                    "fecha del pedido",
                    "fecha de la orden",
                    "fecha orden",
                    "fecha de compra",
                    "date d'achat",
                    "date de la commande",
                    "purchase date",
                    "invoice date",
                    "invoicedate",
                    "billing date",
                    "fkdat",
                    "sale date",
                    "sales date",
                    "transaction date",
                    "order purchase timestamp",
                    "bestelldatum",
                    "rechnungsdatum",
                    "fakturadatum",
                    "belegdatum",
                    "auftragsdatum",
                    "verkaufsdatum",
                    "date de commande",
                    "date commande",
                    "date de facture",
                    "date de vente",
                    "date facture",
                    "fecha de pedido",
                    "fecha pedido",
                    "fecha de factura",
                    "fecha factura",
                    "fecha de venta",
                    "data ordine",
                    "data fattura",
                    "data vendita",
                    "besteldatum",
                    "factuurdatum",
                    "orderdatum",
                    "data do pedido",
                    "data da fatura",
                    "data da venda",
                    "订单日期",
                    "下单日期",
                    "发票日期",
                    "销售日期",
                ],
                &[
                    "date",
                    "close date",
                    "posting date",
                    "buchungsdatum",
                    "leistungsdatum",
                    "datum",
                    "fecha",
                    "data",
                    "日期",
                ],
                &[
                    "created at",
                    "created",
                    "created utc",
                    "created date utc",
                    "created date",
                ],
                &["paid at", "timestamp"],
            ],
            Role::Amount => &[
                &[
                    "line amount",
                    "lineamount",
                    "line total",
                    "linetotal",
                    "net sales",
                    "sales value",
                    "salesamount",
                    "total sales",
                    "gross sales",
                    "line net amount",
                    "price subtotal",
                    "price total",
                    "amount untaxed",
                    "ventes",
                    "chiffre d affaires",
                    "montant des ventes",
                    "valor de venta",
                    "importe de venta",
                    "net amount",
                    "net value",
                    "netwr",
                    "revenue",
                    "sales",
                    "payment value",
                    "dollar value",
                    "monetary value",
                    "spend",
                    "amount converted",
                    "converted amount",
                    "umsatz",
                    "nettobetrag",
                    "nettowert",
                    "nettoerlös",
                    "nettoerlos",
                    "erlös",
                    "erlos",
                    "nettoumsatz",
                    "positionsbetrag",
                    "montant ht",
                    "montant net",
                    "chiffre d'affaires",
                    "importe neto",
                    "ventas",
                    "importo netto",
                    "fatturato",
                    "omzet",
                    "netto bedrag",
                    "regelbedrag",
                    "valor líquido",
                    "valor liquido",
                    "vendas",
                    "receita",
                    "销售额",
                    "净额",
                ],
                &["subtotal", "sales amount"],
                &[
                    "total",
                    "order total",
                    "total amount",
                    "invoice amount",
                    "grand total",
                    "amount total",
                    "gesamtbetrag",
                    "bruttobetrag",
                    "bruttowert",
                    "rechnungsbetrag",
                    "summe",
                    "montant total",
                    "total ttc",
                    "montant ttc",
                    "importe total",
                    "importo totale",
                    "totale",
                    "totaalbedrag",
                    "totaal",
                    "valor total",
                    "总金额",
                    "合计",
                ],
                &[
                    "amount", "betrag", "montant", "importe", "importo", "bedrag", "valor", "金额",
                ],
            ],
            Role::Quantity => &[&[
                "quantity",
                "orderquantity",
                "order quantity",
                "product qty",
                "product uom qty",
                "qty ordered",
                "quantity sold",
                "quantité vendue",
                "cantidad vendida",
                "qty",
                "lineitem quantity",
                "items sold",
                "units",
                "number of cds",
                "cds",
                "fkimg",
                "quantity ordered",
                "menge",
                "anzahl",
                "quantité",
                "quantite",
                "qté",
                "cantidad",
                "quantità",
                "aantal",
                "quantidade",
                "数量",
            ]],
            Role::Price => &[
                &[
                    "unit price",
                    "unitprice",
                    "price unit",
                    "unitamount",
                    "unit amount",
                    "lineitem price",
                    "sales price",
                    "item price",
                    "price each",
                    "einzelpreis",
                    "stückpreis",
                    "prix unitaire",
                    "precio unitario",
                    "prezzo unitario",
                    "stukprijs",
                    "eenheidsprijs",
                    "preço unitário",
                    "preco unitario",
                    "单价",
                ],
                &[
                    "rate", "price", "preis", "prix", "precio", "prezzo", "prijs", "preço", "价格",
                ],
            ],
            Role::Cost => &[&[
                "cost",
                "unit cost",
                "cost price",
                "cost per item",
                "purchase price",
                "cogs",
                "cost of goods sold",
                "wavwr",
                "total cost",
                "totalproductcost",
                "total product cost",
                "product cost",
                "standard cost",
                "line cost",
                "kosten",
                "einstandspreis",
                "coût",
                "cout",
                "coste",
                "costo",
                "kostprijs",
                "custo",
                "成本",
            ]],
            // A profit per line (Tableau's Superstore and its translations): the margin that
            // `--by profit` uses. Ratios ("Profit Ratio", "Marge %") are not amounts and do not match.
            Role::Margin => &[&[
                "margin",
                "gross profit",
                "gross margin",
                "profit",
                "line profit",
                "gewinn",
                "bruttogewinn",
                "rohertrag",
                "deckungsbeitrag",
                "marge",
                "marge brute",
                "bénéfice",
                "benefice",
                "ganancia",
                "beneficio",
                "margen",
                "utile",
                "margine",
                "winst",
                "brutowinst",
                "lucro",
                "margem",
                "利润",
                "毛利",
                "毛利润",
            ]],
            Role::Order => &[&[
                "order id",
                "order number",
                "order no",
                "orderid",
                "invoice",
                "invoiceno",
                "invoice no",
                "invoice number",
                "invoice id",
                "document number",
                "vbeln",
                "transaction id",
                "bestellnummer",
                "auftragsnummer",
                "rechnungsnummer",
                "belegnummer",
                "numéro de commande",
                "numero de commande",
                "n° commande",
                "número de pedido",
                "numero de pedido",
                "numero ordine",
                "numero fattura",
                "ordernummer",
                "bestelnummer",
                "factuurnummer",
                "número do pedido",
                "订单号",
                "订单编号",
                "发票号",
            ]],
            Role::Currency => &[&[
                "currency",
                "currency code",
                "ccy",
                "waerk",
                "währung",
                "devise",
                "monnaie",
                "moneda",
                "divisa",
                "valuta",
                "moeda",
                "币种",
                "货币",
            ]],
            Role::Group => &[],
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = format!("{self:?}").to_lowercase();
        f.pad(if *self == Role::Order {
            "order id"
        } else {
            &name
        })
    }
}

/// Cost aliases that mean a cost per unit, to be multiplied by the quantity.
pub fn is_unit_cost(header: &str) -> bool {
    ["unit cost", "cost price", "cost per item", "purchase price"]
        .contains(&normalise(header).as_str())
}

/// Header text in the form the aliases use: no BOM or odd spaces, lower case, punctuation as spaces.
pub fn normalise(header: &str) -> String {
    let mapped: String = header
        .trim_start_matches('\u{feff}')
        .chars()
        .map(|c| match c {
            '_' | '-' | '.' | '/' | '#' | '(' | ')' | '\u{a0}' => ' ',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A header without a trailing unit in brackets: `Betrag (EUR)`, `Umsatz [€]` → `Betrag`, `Umsatz`.
fn without_unit(header: &str) -> &str {
    let h = header.trim_end();
    let open = match h.chars().last() {
        Some(')') => '(',
        Some(']') => '[',
        _ => return h,
    };
    match h.rfind(open) {
        Some(at) if at > 0 => h[..at].trim_end(),
        _ => h,
    }
}

/// The headers closest to a role's names (sharing a word with one of its aliases), best first, at
/// most three: what an error suggests when no header is a known name.
pub fn closest<'a>(role: Role, headers: &'a [String], taken: &[usize]) -> Vec<&'a str> {
    let words_of = |r: Role| -> std::collections::HashSet<&'static str> {
        r.tiers()
            .iter()
            .flat_map(|t| t.iter())
            .flat_map(|a| a.split(' '))
            .filter(|w| w.chars().count() > 1)
            .collect()
    };
    // Only the words that tell this role from the others ("sales" names a date and an amount).
    let others: std::collections::HashSet<&str> = [Role::Customer, Role::Date, Role::Amount]
        .into_iter()
        .filter(|&r| r != role)
        .flat_map(words_of)
        .collect();
    let words: std::collections::HashSet<&str> = words_of(role)
        .into_iter()
        .filter(|w| !others.contains(w))
        .collect();
    let mut scored: Vec<(usize, usize)> = headers
        .iter()
        .enumerate()
        .filter(|(i, _)| !taken.contains(i))
        .map(|(i, h)| {
            let n = normalise(without_unit(h));
            (i, n.split(' ').filter(|w| words.contains(w)).count())
        })
        .filter(|&(_, score)| score > 0)
        .collect();
    scored.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    scored
        .iter()
        .take(3)
        .map(|&(i, _)| headers[i].as_str())
        .collect()
}

/// Finds the column a flag names: exact, then by normalised name. Lists the columns when absent.
pub fn by_flag(role: Role, wanted: &str, headers: &[String]) -> Result<usize, String> {
    let exact: Vec<usize> = (0..headers.len())
        .filter(|&i| headers[i] == wanted)
        .collect();
    let hits = if exact.is_empty() {
        (0..headers.len())
            .filter(|&i| normalise(&headers[i]) == normalise(wanted))
            .collect()
    } else {
        exact
    };
    match hits.len() {
        0 => Err(format!(
            "{} `{wanted}`: no such column; the columns are {}",
            role.flag(),
            list(headers, 0..headers.len())
        )),
        1 => Ok(hits[0]),
        _ => Err(format!(
            "{} `{wanted}` matches {} columns: {}; {}",
            role.flag(),
            hits.len(),
            list_at(headers, &hits),
            if hits.iter().all(|&i| headers[i] == headers[hits[0]]) {
                "rename one of them in the file, tier cannot tell them apart"
            } else {
                "pass the header exactly as written"
            }
        )),
    }
}

/// Finds a role's column from the aliases: `Ok(None)` when nothing matches, an error when two
/// columns match equally well.
pub fn by_alias(role: Role, headers: &[String]) -> Result<Option<usize>, String> {
    let names: Vec<String> = headers.iter().map(|h| normalise(h)).collect();
    let bare: Vec<String> = headers.iter().map(|h| normalise(without_unit(h))).collect();
    for aliases in role.tiers() {
        let hits: Vec<usize> = (0..names.len())
            .filter(|&i| {
                aliases.contains(&names[i].as_str()) || aliases.contains(&bare[i].as_str())
            })
            .collect();
        match hits.len() {
            0 => continue,
            1 => return Ok(Some(hits[0])),
            _ => {
                let same = hits.iter().all(|&i| headers[i] == headers[hits[0]]);
                return Err(if same {
                    format!(
                        "more than one column could be the {role}: {}, all named the same; \
                         rename the one to leave out in the file",
                        list_at(headers, &hits)
                    )
                } else {
                    format!(
                        "more than one column could be the {role}: {}; pass {} with the one to use",
                        list(headers, hits),
                        role.flag()
                    )
                });
            }
        }
    }
    Ok(None)
}

fn list(headers: &[String], idx: impl IntoIterator<Item = usize>) -> String {
    idx.into_iter()
        .map(|i| format!("`{}`", headers[i]))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Columns with their positions (`` `customer` (column 1) ``), for headers that may repeat.
fn list_at(headers: &[String], idx: &[usize]) -> String {
    idx.iter()
        .map(|&i| format!("`{}` (column {})", headers[i], i + 1))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_in_brackets_does_not_hide_a_known_name() {
        assert_eq!(without_unit("Betrag (EUR)"), "Betrag");
        assert_eq!(without_unit("Umsatz [€] "), "Umsatz");
        assert_eq!(without_unit("(EUR)"), "(EUR)");
        let sap = h(&["Debitor", "Fakturadatum", "Nettowert (EUR)"]);
        assert_eq!(by_alias(Role::Customer, &sap).unwrap(), Some(0));
        assert_eq!(by_alias(Role::Date, &sap).unwrap(), Some(1));
        assert_eq!(by_alias(Role::Amount, &sap).unwrap(), Some(2));
    }

    #[test]
    fn a_flag_that_names_two_columns_is_refused() {
        let h: Vec<String> = ["customer", "customer", "date"].map(String::from).to_vec();
        let e = by_flag(Role::Customer, "customer", &h).unwrap_err();
        assert!(
            e.contains("column 1") && e.contains("column 2") && e.contains("rename"),
            "{e}"
        );
        let h: Vec<String> = ["Customer ID", "customer_id"].map(String::from).to_vec();
        assert_eq!(
            by_flag(Role::Customer, "customer_id", &h),
            Ok(1),
            "exact wins"
        );
        let e = by_flag(Role::Customer, "customer-id", &h).unwrap_err();
        assert!(e.contains("exactly as written"), "{e}");
        let e = by_alias(Role::Customer, &["customer".into(), "customer".into()]).unwrap_err();
        assert!(e.contains("rename"), "{e}");
    }

    fn h(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn normalises_like_the_aliases() {
        assert_eq!(normalise("\u{feff}Created (UTC)"), "created utc");
        assert_eq!(normalise("Customer_ID"), "customer id");
    }

    #[test]
    fn finds_roles_in_real_headers() {
        let shopify = h(&[
            "Name",
            "Email",
            "Created at",
            "Paid at",
            "Subtotal",
            "Total",
            "Lineitem quantity",
        ]);
        assert_eq!(by_alias(Role::Customer, &shopify).unwrap().unwrap(), 1);
        assert_eq!(by_alias(Role::Date, &shopify).unwrap().unwrap(), 2);
        assert_eq!(by_alias(Role::Amount, &shopify).unwrap().unwrap(), 4);
        let olist = h(&[
            "order_id",
            "customer_id",
            "customer_unique_id",
            "order_purchase_timestamp",
        ]);
        assert_eq!(by_alias(Role::Customer, &olist).unwrap().unwrap(), 2);
        assert_eq!(by_alias(Role::Order, &olist).unwrap().unwrap(), 0);
    }

    #[test]
    fn equal_candidates_are_an_error_naming_the_flag() {
        let err = by_alias(Role::Customer, &h(&["Customer ID", "Account ID"])).unwrap_err();
        assert!(
            err.contains("`Customer ID`, `Account ID`") && err.contains("--customer"),
            "{err}"
        );
        assert!(by_alias(Role::Amount, &h(&["a", "b"])).unwrap().is_none());
    }

    #[test]
    fn flags_match_exactly_or_normalised_and_list_columns() {
        let cols = h(&["Kunde", "Datum"]);
        assert_eq!(by_flag(Role::Customer, "kunde", &cols).unwrap(), 0);
        let err = by_flag(Role::Amount, "Betrag", &cols).unwrap_err();
        assert!(err.contains("`Kunde`, `Datum`"), "{err}");
    }
}
